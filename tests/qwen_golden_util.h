// Shared by the Qwen2.5-VL golden tests: tensors -> ids / positions, and the fixture's prompt layout
// (text 0-4, three frames of 12 tokens at 5-16, 17-28, 29-40, question 41-47; README of the fixture).
#pragma once

#include <ATen/ATen.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "methods/token_layout.h"

namespace pevlm::testing {

inline std::vector<int64_t> to_ids(const at::Tensor& t) {
  at::Tensor c = t.contiguous().to(at::kLong);
  return std::vector<int64_t>(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel());
}

inline PositionIds to_positions(const at::Tensor& pos_3L) {
  PositionIds p(3, pos_3L.size(1));
  p.ids = to_ids(pos_3L);
  return p;
}

struct GoldenMethodConfig {
  std::string name;
  nlohmann::json method;
};

// A1..A8: the table of the methods fixture's README ("Configurations"); APE with T = S = 1 (a plain mask).
inline std::vector<GoldenMethodConfig> golden_method_configs() {
  return {
      {"A1", {{"name", "full"}}},
      {"A2", {{"name", "block_attention"}, {"block_tokens", 12}}},
      {"A3", {{"name", "star"}, {"anchor_tokens", 17}, {"block_tokens", 17}, {"positions", "retain"}}},
      {"A4", {{"name", "pevlm"}, {"sink_frames", 1}, {"block_frames", 1}}},
      {"A5", {{"name", "pevlm"}, {"sink_frames", 1}, {"block_frames", 2}}},
      {"A6", {{"name", "ape"}, {"prefix_tokens", 5}, {"block_tokens", 12}, {"temperature", 1.0}, {"scale", 1.0},
              {"positions", "retain"}}},
      {"A7", {{"name", "pevlm"}, {"sink_frames", 0}, {"block_frames", 2}}},
      {"A8", {{"name", "ape"}, {"prefix_tokens", 5}, {"block_tokens", 12}, {"temperature", 1.0}, {"scale", 1.0},
              {"positions", "reuse"}}},
  };
}

inline TokenLayout golden_layout(const PositionIds& positions) {
  TokenLayout layout;
  layout.spans = {{SpanKind::Text, 0, 5},
                  {SpanKind::Frame, 5, 17, 0},
                  {SpanKind::Frame, 17, 29, 1},
                  {SpanKind::Frame, 29, 41, 2},
                  {SpanKind::Question, 41, 48}};
  layout.length = 48;
  layout.positions = positions;
  layout.validate();
  return layout;
}

}  // namespace pevlm::testing
