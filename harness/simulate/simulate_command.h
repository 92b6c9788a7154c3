// `pevlm simulate --results FILE --device PROFILE [--caps 20,30,40] [--out DIR]` and
// `pevlm simulate --paper-check --device PROFILE [--out DIR]`. Registered by the lead in main.cpp.
#pragma once

#include <string>
#include <vector>

namespace pevlm {

int run_simulate_command(const std::vector<std::string>& args);

}  // namespace pevlm
