// Deterministic random weights for the tiny checkpoints of every family (make-tiny-model): the
// same numbers on every platform and library version.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

#include "models/llm/text_config.h"

namespace pevlm {

// What the LLaVA-Video and LongVILA tiny writers take (`pevlm make-tiny-model --family F`).
struct TinyOptions {
  uint64_t seed = 0;
  bool bf16 = true;  // weights stored as BF16 (as released checkpoints) or F32
};

// The tiny Qwen2 decoder both write: hidden 64, 2 layers, GQA 4 / 2 heads of 16, MLP 112, `vocab` words.
llm::TextConfig tiny_qwen2_text(int64_t vocab);

// splitmix64 + Box-Muller (std::normal_distribution is implementation-defined).
class TinyRng {
 public:
  explicit TinyRng(uint64_t seed) : state_(seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull) {}
  double uniform();  // (0, 1)
  double normal();

 private:
  uint64_t state_;
};

// Norm weights 1 + 0.1 N, biases 0.05 N, matrices N / sqrt(fan_in) (activations stay O(1) through
// the layers), embeddings N(0, 1); float32 of `shape`. The kind is read from `name`.
at::Tensor tiny_random_tensor(TinyRng& rng, const std::string& name, const std::vector<int64_t>& shape);

}  // namespace pevlm
