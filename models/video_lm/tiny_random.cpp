// Tiny-checkpoint random weights; see tiny_random.h (moved from models/qwen2_5_vl/tiny_model.cpp,
// unchanged, so the Qwen2.5-VL tiny checkpoint stays byte-identical).
#include "models/video_lm/tiny_random.h"

#include <ATen/ATen.h>

#include <cmath>

namespace pevlm {

double TinyRng::uniform() {
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return (double(z >> 11) + 0.5) / 9007199254740992.0;
}

double TinyRng::normal() {
  const double u1 = uniform(), u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

at::Tensor tiny_random_tensor(TinyRng& rng, const std::string& name, const std::vector<int64_t>& shape) {
  int64_t numel = 1;
  for (int64_t d : shape) numel *= d;
  std::vector<float> values(static_cast<size_t>(numel));
  const bool norm = name.find("norm") != std::string::npos || name.find("ln_q") != std::string::npos;
  const bool bias = name.size() >= 5 && name.compare(name.size() - 5, 5, ".bias") == 0;
  const bool embed = name.find("embed_tokens") != std::string::npos;
  const double fan_in = shape.size() >= 2 ? double(numel / shape[0]) : 1.0;
  const double std = bias ? 0.05 : embed ? 1.0 : 1.0 / std::sqrt(fan_in);
  for (float& v : values) v = float(norm && shape.size() == 1 ? 1.0 + 0.1 * rng.normal() : std * rng.normal());
  return at::tensor(values, at::kFloat).view(shape);
}

llm::TextConfig tiny_qwen2_text(int64_t vocab) {
  llm::TextConfig t;
  t.hidden_size = 64;
  t.num_layers = 2;
  t.num_heads = 4;
  t.num_kv_heads = 2;
  t.head_dim = 16;
  t.intermediate_size = 112;
  t.vocab_size = vocab;
  t.rope_kind = llm::RopeKind::Line;
  t.mrope_section = {8, 0, 0};  // 1-D RoPE
  return t;
}

}  // namespace pevlm
