#pragma once

#include <optional>

#include "analysis/recommendations.h"

// The individual rules behind recommend(); internal to the analysis module, one function
// per rule so that each stays small and testable on its own.
namespace loadscope::recommendrules {

//! Generator CPU per worker thread ≥ 90 % (p90), machine CPU ≥ 95 %, or dropped iterations.
std::optional<Recommendation> loadGeneratorSaturated(const RecommendationInput &in);
//! Throughput stops growing (within 5 % of its peak) while load grows ≥ 25 % and p95 ≥ 25 %.
std::optional<Recommendation> throughputKnee(const RecommendationInput &in);
//! The target's CPU p90 ≥ 90 %. When the target is the generator's own process (same PID) a
//! low-impact "cannot tell" note instead: that CPU is the generator's, not advice material.
std::optional<Recommendation> targetCpuSaturated(const RecommendationInput &in);
//! The error rate crosses 1 % from some load level on, after lower levels stayed under it.
std::optional<Recommendation> errorsRisingWithConcurrency(const RecommendationInput &in);
//! p99/p50 > 5 (medium) or > 10 (high), with ≥ 100 requests and p99 − p50 ≥ 5 ms.
std::optional<Recommendation> tailRatio(const RecommendationInput &in);
//! Connect + TLS time > 20 % (medium) or > 40 % (high) of the time per request.
std::optional<Recommendation> connectionSetupShare(const RecommendationInput &in);
//! Mean response size > 100 KiB (medium) or > 1 MiB (high).
std::optional<Recommendation> largeResponses(const RecommendationInput &in);
//! One Server-Timing component's median > 60 % (medium) or > 80 % (high) of the server time.
std::optional<Recommendation> serverTimingDominant(const RecommendationInput &in);
//! In a multi-step flow one endpoint takes > 60 % (medium) or > 80 % (high) of an iteration.
std::optional<Recommendation> endpointDominatesFlow(const RecommendationInput &in);

} // namespace loadscope::recommendrules
