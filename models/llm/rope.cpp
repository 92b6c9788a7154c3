// Rotary tables and rotation; see rope.h.
#include "models/llm/rope.h"

#include <ATen/ATen.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace pevlm::llm {
namespace {

// inv_freq = 1 / theta^(arange(0, D, 2) / D) in float32, as compute_default_rope_parameters.
at::Tensor inv_freq(int64_t head_dim, double theta) {
  at::Tensor exponent = at::arange(0, head_dim, 2, at::kLong).to(at::kFloat) / double(head_dim);
  return 1.0 / at::pow(at::scalar_tensor(theta, at::kFloat), exponent);
}

void check_section(const std::array<int64_t, 3>& s, int64_t head_dim) {
  if (s[0] < 0 || s[1] < 0 || s[2] < 0 || 2 * (s[0] + s[1] + s[2]) != head_dim)
    throw std::invalid_argument("mrope_section [" + std::to_string(s[0]) + ", " + std::to_string(s[1]) +
                                ", " + std::to_string(s[2]) + "] must be non-negative with 2 * sum == head_dim " +
                                std::to_string(head_dim));
}

// Mixes axis tables [3, L, D] into [L, D]: chunk i of cat(section, section) takes axis i % 3.
at::Tensor mix(const at::Tensor& axes_3LD, const std::array<int64_t, 3>& s) {
  const std::array<int64_t, 6> sizes{s[0], s[1], s[2], s[0], s[1], s[2]};
  std::vector<at::Tensor> parts;
  int64_t begin = 0;
  for (size_t i = 0; i < sizes.size(); ++i) {
    parts.push_back(axes_3LD.select(0, int64_t(i % 3)).narrow(1, begin, sizes[i]));
    begin += sizes[i];
  }
  return at::cat(parts, 1).contiguous();
}

// Axis of each of the D table columns under the interleaved mix: column j is frequency j % (D / 2).
at::Tensor interleaved_axes(const std::array<int64_t, 3>& s, int64_t head_dim) {
  const int64_t half = head_dim / 2;
  std::vector<int64_t> axis(size_t(head_dim), 0);
  for (int64_t j = 0; j < head_dim; ++j) {
    const int64_t i = j % half;
    if (i % 3 == 1 && i < 3 * s[1]) axis[size_t(j)] = 1;
    else if (i % 3 == 2 && i < 3 * s[2]) axis[size_t(j)] = 2;
  }
  return at::tensor(axis, at::kLong);
}

at::Tensor mix_interleaved(const at::Tensor& axes_3LD, const std::array<int64_t, 3>& s) {
  const int64_t L = axes_3LD.size(1), D = axes_3LD.size(2);
  at::Tensor index_1LD = interleaved_axes(s, D).to(axes_3LD.device()).view({1, 1, D}).expand({1, L, D});
  return axes_3LD.gather(0, index_1LD).squeeze(0).contiguous();
}

// Axis tables for positions pos_3L (int64 [3, L]).
RotaryTables axis_tables(const at::Tensor& pos_3L, int64_t head_dim, double theta) {
  if (head_dim <= 0 || head_dim % 2 != 0)
    throw std::invalid_argument("rotary head_dim must be positive and even, got " + std::to_string(head_dim));
  at::Tensor freqs_3LF = pos_3L.to(at::kFloat).unsqueeze(-1) * inv_freq(head_dim, theta);
  at::Tensor emb_3LD = at::cat({freqs_3LF, freqs_3LF}, -1);
  return {emb_3LD.cos(), emb_3LD.sin()};
}

}  // namespace

RotaryTables mrope_axis_tables(const PositionIds& positions, int64_t head_dim, double theta) {
  if (positions.axes != 1 && positions.axes != 3)
    throw std::invalid_argument("M-RoPE positions need 1 or 3 axes, got " + std::to_string(positions.axes));
  if (int64_t(positions.ids.size()) != positions.axes * positions.length)
    throw std::invalid_argument("position ids hold " + std::to_string(positions.ids.size()) +
                                " values, expected axes * length = " +
                                std::to_string(positions.axes * positions.length));
  at::Tensor pos = at::tensor(positions.ids, at::kLong).view({positions.axes, positions.length});
  return axis_tables(pos.expand({3, positions.length}), head_dim, theta);
}

RotaryTables mrope_tables(const PositionIds& positions, int64_t head_dim, double theta,
                          const std::array<int64_t, 3>& mrope_section) {
  check_section(mrope_section, head_dim);
  RotaryTables axes = mrope_axis_tables(positions, head_dim, theta);
  return {mix(axes.cos_LD, mrope_section), mix(axes.sin_LD, mrope_section)};
}

RotaryTables mrope_tables_1d(int64_t first, int64_t count, int64_t head_dim, double theta,
                             const std::array<int64_t, 3>& mrope_section) {
  check_section(mrope_section, head_dim);
  at::Tensor pos_3L = at::arange(first, first + count, at::kLong).unsqueeze(0).expand({3, count});
  RotaryTables axes = axis_tables(pos_3L, head_dim, theta);
  return {mix(axes.cos_LD, mrope_section), mix(axes.sin_LD, mrope_section)};
}

RotaryTables interleaved_mix(const RotaryTables& axes, const std::array<int64_t, 3>& mrope_section) {
  check_section(mrope_section, axes.cos_LD.size(-1));
  return {mix_interleaved(axes.cos_LD, mrope_section), mix_interleaved(axes.sin_LD, mrope_section)};
}

RotaryTables rope_tables(const PositionIds& positions, const TextConfig& text) {
  if (text.rope_kind != RopeKind::MropeInterleaved)
    return mrope_tables(positions, text.head_dim, text.rope_theta, text.mrope_section);
  check_section(text.mrope_section, text.head_dim);
  return interleaved_mix(mrope_axis_tables(positions, text.head_dim, text.rope_theta), text.mrope_section);
}

RotaryTables rope_tables_1d(int64_t first, int64_t count, const TextConfig& text) {
  if (text.rope_kind != RopeKind::MropeInterleaved)
    return mrope_tables_1d(first, count, text.head_dim, text.rope_theta, text.mrope_section);
  check_section(text.mrope_section, text.head_dim);
  at::Tensor pos_3L = at::arange(first, first + count, at::kLong).unsqueeze(0).expand({3, count});
  return interleaved_mix(axis_tables(pos_3L, text.head_dim, text.rope_theta), text.mrope_section);
}

at::Tensor apply_rotary(const at::Tensor& x_LHD, const RotaryTables& tables) {
  TORCH_CHECK(x_LHD.dim() == 3 && x_LHD.size(0) == tables.cos_LD.size(0) &&
                  x_LHD.size(2) == tables.cos_LD.size(1),
              "apply_rotary: x ", x_LHD.sizes(), " does not match tables ", tables.cos_LD.sizes());
  const int64_t half = x_LHD.size(2) / 2;
  at::Tensor cos = tables.cos_LD.to(x_LHD.options()).unsqueeze(1);  // [L, 1, D], on x's device
  at::Tensor sin = tables.sin_LD.to(x_LHD.options()).unsqueeze(1);
  at::Tensor rotated = at::cat({-x_LHD.narrow(2, half, half), x_LHD.narrow(2, 0, half)}, 2);
  return (x_LHD * cos + rotated * sin).contiguous();
}

}  // namespace pevlm::llm
