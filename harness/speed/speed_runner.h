// Times each method's plan through an executor on synthetic Q/K/V at the configured shape and
// produces one row per (layout length, method configuration).
#pragma once

#include <functional>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/speed/speed_config.h"
#include "methods/token_layout.h"

namespace pevlm {

// The synthetic layout for `frames` frames (M-RoPE grid: the most square factorisation).
TokenLayout speed_layout(const SpeedConfig& config, int64_t frames);

// Runs every (frames, method) pair on config.device; rows carry the fields documented in README
// "pevlm speed". `on_row` (when set) gets each row as soon as it is measured, before the next starts,
// so a later failure or timeout loses no finished row.
std::vector<nlohmann::json> run_speed(const SpeedConfig& config,
                                      const std::function<void(const nlohmann::json&)>& on_row = {});

}  // namespace pevlm
