#pragma once

// Shared by the libFuzzer targets: a QCoreApplication-free environment is enough for the
// parsers, but Qt's message handler is silenced so that warnings do not flood the fuzzer log.

#include <cstddef>
#include <cstdint>

#include <QByteArray>
#include <QtGlobal>

namespace loadscope::fuzz {

inline QByteArray bytes(const uint8_t *data, size_t size)
{
    // A deep copy: libFuzzer's buffer must not be kept, and QByteArray::fromRawData would.
    return QByteArray(reinterpret_cast<const char *>(data), qsizetype(size));
}

inline void quietQt()
{
    static const bool once = [] {
        qInstallMessageHandler([](QtMsgType, const QMessageLogContext &, const QString &) {});
        return true;
    }();
    (void)once;
}

} // namespace loadscope::fuzz
