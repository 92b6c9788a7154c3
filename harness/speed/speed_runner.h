// Times each method's plan through an executor on synthetic Q/K/V at the configured shape and
// produces one row per (layout length, method configuration).
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "harness/speed/speed_config.h"
#include "methods/token_layout.h"

namespace pevlm {

// The synthetic layout for `frames` frames (M-RoPE grid: the most square factorisation).
TokenLayout speed_layout(const SpeedConfig& config, int64_t frames);

// Runs every (frames, method) pair; rows carry the fields documented in README "pevlm speed".
std::vector<nlohmann::json> run_speed(const SpeedConfig& config);

}  // namespace pevlm
