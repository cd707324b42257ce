#include "sample/smartmarketmodel.h"

#include <algorithm>
#include <cmath>
#include <random>

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

#include "sample/smartmarketindicators.h"

namespace loadscope {

std::vector<double> MarketFeatures::toVector() const
{
    return {lastReturn, return5, return20, volatility20, rsi14, volumeZ20, macdHist};
}

QJsonObject MarketFeatures::toJson() const
{
    const QStringList keys = names();
    const std::vector<double> values = toVector();
    QJsonObject object;
    for (int i = 0; i < keys.size(); ++i)
        object.insert(keys.at(i), values[std::size_t(i)]);
    return object;
}

QStringList MarketFeatures::names()
{
    return {QStringLiteral("lastReturn"),   QStringLiteral("return5"), QStringLiteral("return20"),
            QStringLiteral("volatility20"), QStringLiteral("rsi14"),   QStringLiteral("volumeZ20"),
            QStringLiteral("macdHist")};
}

namespace smartmarket {

namespace {

// Uniform in [0,1) from 53 random bits; std::*_distribution output differs between standard
// libraries, this does not, so a symbol's window is the same everywhere.
double uniform01(std::mt19937_64 &rng)
{
    return double(rng() >> 11) * (1.0 / 9007199254740992.0);
}

double standardNormal(std::mt19937_64 &rng)
{
    const double u1 = std::max(uniform01(rng), 1e-300);
    const double u2 = uniform01(rng);
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

} // namespace

quint64 symbolSeed(const QString &symbol)
{
    quint64 hash = 14695981039346656037ULL;
    const QByteArray bytes = symbol.trimmed().toUpper().toUtf8();
    for (const char byte : bytes) {
        hash ^= quint64(quint8(byte));
        hash *= 1099511628211ULL;
    }
    return hash;
}

std::vector<MarketBar> syntheticWindow(const QString &symbol, int bars)
{
    std::mt19937_64 rng(symbolSeed(symbol));
    const double startPrice = 20.0 + 480.0 * uniform01(rng);
    const double drift = (uniform01(rng) - 0.5) * 0.004; // ±0.2 % per bar
    const double sigma = 0.008 + 0.022 * uniform01(rng); // 0.8 … 3 % per bar
    const double baseVolume = 2e5 + 5e6 * uniform01(rng);

    std::vector<MarketBar> window;
    window.reserve(std::size_t(std::max(bars, 0)));
    double previousClose = startPrice;
    for (int i = 0; i < bars; ++i) {
        MarketBar bar;
        bar.open = previousClose * std::exp(0.2 * sigma * standardNormal(rng));
        bar.close =
            previousClose * std::exp(drift - sigma * sigma / 2.0 + sigma * standardNormal(rng));
        bar.high =
            std::max(bar.open, bar.close) * (1.0 + 0.5 * sigma * std::abs(standardNormal(rng)));
        bar.low =
            std::min(bar.open, bar.close) * (1.0 - 0.5 * sigma * std::abs(standardNormal(rng)));
        bar.volume = std::round(baseVolume * std::exp(0.35 * standardNormal(rng)));
        window.push_back(bar);
        previousClose = bar.close;
    }
    return window;
}

std::vector<double> closes(const std::vector<MarketBar> &bars)
{
    std::vector<double> out;
    out.reserve(bars.size());
    for (const MarketBar &bar : bars)
        out.push_back(bar.close);
    return out;
}

MarketFeatures computeFeatures(const std::vector<MarketBar> &bars)
{
    MarketFeatures f;
    const std::vector<double> c = closes(bars);
    const std::size_t n = c.size();
    if (n < 21)
        return f;
    f.lastReturn = std::log(c[n - 1] / c[n - 2]);
    f.return5 = std::log(c[n - 1] / c[n - 6]);
    f.return20 = std::log(c[n - 1] / c[n - 21]);

    std::vector<double> returns;
    returns.reserve(n - 1);
    for (std::size_t i = 1; i < n; ++i)
        returns.push_back(std::log(c[i] / c[i - 1]));
    f.volatility20 = stdDevOfLast(returns, 20, true);
    f.rsi14 = rsiWilder(c, 14);

    std::vector<double> volumes;
    volumes.reserve(n);
    for (const MarketBar &bar : bars)
        volumes.push_back(bar.volume);
    const double volumeStd = stdDevOfLast(volumes, 20, true);
    f.volumeZ20 = volumeStd > 0.0 ? (volumes.back() - meanOfLast(volumes, 20)) / volumeStd : 0.0;

    f.macdHist = macd(c).histogram / c[n - 1];
    return f;
}

} // namespace smartmarket

QString SmartMarketModel::resourcePath()
{
    return QStringLiteral(":/loadscope/sample-model/smartmarket-model.json");
}

bool SmartMarketModel::loadFile(const QString &path, QString *error)
{
    QElapsedTimer timer;
    timer.start();
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error =
                QStringLiteral("cannot open model weights %1: %2").arg(path, file.errorString());
        return false;
    }
    if (!loadJson(file.readAll(), error)) {
        if (error)
            *error = path % QStringLiteral(": ") % *error;
        return false;
    }
    m_lastLoadMs = double(timer.nsecsElapsed()) / 1e6; // includes the file read
    return true;
}

namespace {

bool readVector(const QJsonValue &value, std::size_t size, std::vector<double> *out)
{
    const QJsonArray array = value.toArray();
    if (!value.isArray() || std::size_t(array.size()) != size)
        return false;
    out->clear();
    for (const QJsonValue &item : array) {
        if (!item.isDouble())
            return false;
        out->push_back(item.toDouble());
    }
    return true;
}

} // namespace

bool SmartMarketModel::loadJson(const QByteArray &json, QString *error)
{
    QElapsedTimer timer;
    timer.start();
    auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        return false;
    };
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return fail(QStringLiteral("invalid JSON at offset %1: %2")
                        .arg(parseError.offset)
                        .arg(parseError.errorString()));
    const QJsonObject root = document.object();
    const std::size_t inputs = std::size_t(MarketFeatures::names().size());

    const QStringList names = root.value(QLatin1String("features"))
                                  .toObject()
                                  .value(QLatin1String("names"))
                                  .toVariant()
                                  .toStringList();
    if (names != MarketFeatures::names())
        return fail(QStringLiteral("features.names must be [%1]")
                        .arg(MarketFeatures::names().join(QLatin1String(", "))));

    std::vector<double> mean;
    std::vector<double> stddev;
    const QJsonObject standardization = root.value(QLatin1String("standardization")).toObject();
    if (!readVector(standardization.value(QLatin1String("mean")), inputs, &mean) ||
        !readVector(standardization.value(QLatin1String("std")), inputs, &stddev))
        return fail(
            QStringLiteral("standardization.mean and .std must hold %1 numbers").arg(inputs));
    if (std::any_of(stddev.begin(), stddev.end(), [](double s) { return !(s > 0.0); }))
        return fail(QStringLiteral("standardization.std values must be > 0"));

    std::vector<Layer> layers;
    std::size_t width = inputs;
    const QJsonArray layerArray = root.value(QLatin1String("layers")).toArray();
    if (layerArray.isEmpty())
        return fail(QStringLiteral("layers must be a non-empty array"));
    for (int l = 0; l < layerArray.size(); ++l) {
        const QJsonObject object = layerArray.at(l).toObject();
        Layer layer;
        const QString activation = object.value(QLatin1String("activation")).toString();
        if (activation == QLatin1String("tanh"))
            layer.activation = Activation::Tanh;
        else if (activation == QLatin1String("sigmoid"))
            layer.activation = Activation::Sigmoid;
        else if (activation == QLatin1String("relu"))
            layer.activation = Activation::Relu;
        else if (activation == QLatin1String("linear"))
            layer.activation = Activation::Linear;
        else
            return fail(
                QStringLiteral("layers[%1].activation must be tanh, sigmoid, relu or linear")
                    .arg(l));
        const QJsonArray rows = object.value(QLatin1String("weights")).toArray();
        if (rows.isEmpty())
            return fail(QStringLiteral("layers[%1].weights must be a non-empty matrix").arg(l));
        for (int r = 0; r < rows.size(); ++r) {
            std::vector<double> row;
            if (!readVector(rows.at(r), width, &row))
                return fail(QStringLiteral("layers[%1].weights[%2] must hold %3 numbers")
                                .arg(l)
                                .arg(r)
                                .arg(width));
            layer.weights.push_back(std::move(row));
        }
        if (!readVector(object.value(QLatin1String("bias")), layer.weights.size(), &layer.bias))
            return fail(QStringLiteral("layers[%1].bias must hold %2 numbers")
                            .arg(l)
                            .arg(layer.weights.size()));
        width = layer.weights.size();
        layers.push_back(std::move(layer));
    }
    if (width != 1 || layers.back().activation != Activation::Sigmoid)
        return fail(QStringLiteral("the last layer must be one sigmoid unit (P(up))"));

    m_mean = std::move(mean);
    m_std = std::move(stddev);
    m_layers = std::move(layers);
    m_version = root.value(QLatin1String("name")).toString(QStringLiteral("model")) %
                QLatin1Char('-') %
                root.value(QLatin1String("version")).toString(QStringLiteral("0"));
    m_lastLoadMs = double(timer.nsecsElapsed()) / 1e6;
    return true;
}

double SmartMarketModel::predict(const MarketFeatures &features) const
{
    if (m_layers.empty())
        return 0.5;
    std::vector<double> activations = features.toVector();
    for (std::size_t i = 0; i < activations.size(); ++i)
        activations[i] = (activations[i] - m_mean[i]) / m_std[i];
    for (const Layer &layer : m_layers) {
        std::vector<double> next(layer.weights.size());
        for (std::size_t o = 0; o < layer.weights.size(); ++o) {
            double sum = layer.bias[o];
            for (std::size_t i = 0; i < activations.size(); ++i)
                sum += layer.weights[o][i] * activations[i];
            switch (layer.activation) {
            case Activation::Tanh:
                sum = std::tanh(sum);
                break;
            case Activation::Sigmoid:
                sum = 1.0 / (1.0 + std::exp(-sum));
                break;
            case Activation::Relu:
                sum = std::max(sum, 0.0);
                break;
            case Activation::Linear:
                break;
            }
            next[o] = sum;
        }
        activations = std::move(next);
    }
    return activations.front();
}

} // namespace loadscope
