// Shared by the LLaVA-Video and LongVILA golden tests (scripts/golden/video_llm_golden.py writes both
// fixtures): a temporary copy of a fixture folder with the tiny tokenizer added (the VideoLM loaders
// read one; the fixtures' prompts are fixed ids, so its vocabulary does not matter), the method table
// M1..M8 of video_llm_golden.method_configs, the 1-D layout of a fixture and the method check.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "attention/executor.h"
#include "methods/method_registry.h"
#include "models/llm/decoder.h"
#include "models/safetensors/torch_tensor.h"
#include "models/tokenizer/chat_template.h"
#include "models/tokenizer/tiny_writer.h"
#include "models/video_lm/video_lm.h"

namespace pevlm::test {

// The fixtures' tensors are tiny: one intra-op thread. With libtorch's default (one per core) the OpenMP
// pool's spin-waiting makes these tests 20x slower on a loaded 2-core machine. Call at static-init time.
inline bool use_one_thread() {
  at::set_num_threads(1);
  return true;
}

// Copies `fixture` (recursively) to a fresh temporary folder and writes tokenizer.json into
// `tokenizer_subdir` of it ("" = the top level), with the known chat template `chat_template` where
// `lookup` reads it (the fixtures hold neither: tokenizer/chat_template.h).
inline std::filesystem::path fixture_copy(const std::filesystem::path& fixture, const std::string& tag,
                                          const std::string& tokenizer_subdir, const std::string& chat_template,
                                          tokenizer::ChatTemplateLookup lookup) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("pevlm_" + tag + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::copy(fixture, dir, fs::copy_options::recursive);
  tokenizer::write_tiny_tokenizer_json(dir / tokenizer_subdir / "tokenizer.json");
  tokenizer::write_chat_template(dir / tokenizer_subdir, lookup, chat_template);
  return dir;
}

inline at::Tensor golden(const safetensors::Checkpoint& g, const std::string& name) {
  return safetensors::to_tensor_copy(g.get(name));
}

inline double max_abs(const at::Tensor& a, const at::Tensor& b) {
  EXPECT_EQ(a.sizes(), b.sizes());
  if (a.sizes() != b.sizes()) return 1e9;
  return (a.to(at::kFloat) - b.to(at::kFloat)).abs().max().item<double>();
}

// 1-D layout: text [0, frames[0].begin), the frame spans, question [last frame end, L).
// The LLaVA fixtures' video (tests/data/golden/llava_video_tiny golden.safetensors): its pixel_values as one chunk of
// 7 x 7-patch frames, one video piece.
inline VideoInput llava_fixture_video(const safetensors::Checkpoint& g) {
  const at::Tensor px = golden(g, "pixel_values");
  VideoInput v;
  v.chunks.push_back({px, {px.size(0), 7, 7}});
  v.pieces.push_back({"", 0});
  return v;
}

inline TokenLayout fixture_layout(int64_t length, const std::vector<std::pair<int64_t, int64_t>>& frames) {
  TokenLayout layout;
  layout.spans.push_back({SpanKind::Text, 0, frames.front().first});
  for (size_t f = 0; f < frames.size(); ++f) layout.spans.push_back({SpanKind::Frame, frames[f].first, frames[f].second, int64_t(f)});
  layout.spans.push_back({SpanKind::Question, frames.back().second, length});
  layout.length = length;
  layout.positions = PositionIds(1, length);
  for (int64_t i = 0; i < length; ++i) layout.positions.at(0, i) = i;
  layout.validate();
  return layout;
}

// video_llm_golden.method_configs(prefix) as method registry entries (APE with T = S = 1: a plain mask).
inline std::vector<std::pair<std::string, nlohmann::json>> fixture_methods(int64_t prefix) {
  const nlohmann::json ape = {{"name", "ape"}, {"prefix_tokens", prefix}, {"block_tokens", 12}, {"temperature", 1.0}, {"scale", 1.0}};
  nlohmann::json ape_reuse = ape;
  ape_reuse["positions"] = "reuse";
  nlohmann::json ape_retain = ape;
  ape_retain["positions"] = "retain";
  return {{"M1", {{"name", "full"}}},
          {"M2", {{"name", "block_attention"}, {"block_tokens", 12}}},
          {"M3", {{"name", "star"}, {"anchor_tokens", prefix + 12}, {"block_tokens", prefix + 12}, {"positions", "retain"}}},
          {"M4", {{"name", "pevlm"}, {"sink_frames", 1}, {"block_frames", 1}}},
          {"M5", {{"name", "pevlm"}, {"sink_frames", 1}, {"block_frames", 2}}},
          {"M6", ape_retain},
          {"M7", {{"name", "pevlm"}, {"sink_frames", 0}, {"block_frames", 2}}},
          {"M8", ape_reuse}};
}

// Every method's plan from the registry: its dense mask and positions equal the golden ones, and the
// prefill logits of all rows match at fp32 max-abs <= 1e-4.
inline void expect_methods_match(const llm::Decoder& llm, const safetensors::Checkpoint& g, const TokenLayout& layout,
                                 int64_t prefix) {
  auto executor = attention::make_executor("reference");
  const at::Tensor x = golden(g, "inputs_embeds");
  for (const auto& [name, entry] : fixture_methods(prefix)) {
    const AttentionPlan plan = build_plan(resolve_method(entry), layout);
    const at::Tensor mask = golden(g, name + ".mask").contiguous();
    EXPECT_EQ(plan.dense_mask(), std::vector<uint8_t>(mask.data_ptr<uint8_t>(), mask.data_ptr<uint8_t>() + mask.numel()))
        << name << " mask differs from the golden mask";
    const at::Tensor pos = golden(g, name + ".position_ids").contiguous().to(at::kLong);
    EXPECT_EQ(plan.positions.ids, std::vector<int64_t>(pos.data_ptr<int64_t>(), pos.data_ptr<int64_t>() + pos.numel()))
        << name << " positions";
    llm::Session s = llm.prefill(x, plan, *executor, {llm::LogitRows::All});
    const double err = max_abs(s.logits_LV, golden(g, name + ".logits"));
    std::cout << "[golden] " << name << " (" << plan.method << "): logits max-abs " << err << "\n";
    EXPECT_LT(err, 1e-4) << name;
  }
}

}  // namespace pevlm::test
