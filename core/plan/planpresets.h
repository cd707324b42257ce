#pragma once

#include "plan/testplan.h"

namespace loadscope {

//! A ready-to-run plan for @p type against the built-in sample target (empty base URL).
//! Every preset passes validatePlan().
TestPlan presetPlan(TestType type);

} // namespace loadscope
