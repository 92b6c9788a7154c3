// Qwen2.5-VL vision tower (models/qwen2_5_vl/vision.h, weights_vision.h) against transformers
// 4.50 (../shared/golden/qwen2_5_vl_tiny: fp32, eager attention), plus weight-loading errors,
// the bf16 path and an optional 7B-shaped timing run.
#include "models/qwen2_5_vl/vision.h"

#include <gtest/gtest.h>

#include <ATen/Parallel.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>

#include <unistd.h>

#include "models/qwen2_5_vl/config.h"
#include "tests/qwen_vision_golden.h"

namespace pevlm::qwen2_5_vl {
namespace {

using testing::expect_close;
using testing::golden;

const std::vector<GridTHW> kGoldenGrid{{3, 6, 8}};

// Golden tolerances (fp32 against fp32 eager transformers; differences come from summation order in
// matmul / conv / softmax only): activations have |max| ~ 10-20, so max-abs 1e-4 and NMSE 1e-10.
constexpr double kAbsTol = 1e-4;
constexpr double kNmseTol = 1e-10;

VisionTower golden_tower(at::ScalarType dtype) {
  const Qwen25VLConfig cfg = load_config(testing::golden_file("config.json"));
  const auto ck = safetensors::Checkpoint::open(testing::golden_file("model.safetensors"));
  return VisionTower::load(ck, cfg.vision, dtype);
}

TEST(QwenVisionGolden, EveryStageMatchesTransformersFp32) {
  PEVLM_REQUIRE_GOLDEN();
  VisionTower tower = golden_tower(default_vision_dtype("float32"));
  ASSERT_EQ(tower.dtype(), at::kFloat);
  VisionTrace trace;
  at::Tensor emb = tower.forward(golden("pixel_values_videos"), kGoldenGrid, &trace);
  expect_close(trace.patch_embed, golden("vision_patch_embed"), kAbsTol, kNmseTol, "vision_patch_embed");
  ASSERT_EQ(trace.block_out.size(), 4u);
  for (size_t b = 0; b < trace.block_out.size(); ++b) {
    const std::string name = "vision_block" + std::to_string(b) + "_out";
    expect_close(trace.block_out[b], golden(name), kAbsTol, kNmseTol, name);
  }
  expect_close(trace.merger_out_window_order, golden("vision_merger_out_window_order"), kAbsTol, kNmseTol,
               "vision_merger_out_window_order");
  expect_close(emb, golden("vision_embeds"), kAbsTol, kNmseTol, "vision_embeds");
  std::cout << "[vision fp32] vision_embeds max-abs " << testing::max_abs(emb, golden("vision_embeds")) << ", nmse "
            << testing::nmse(emb, golden("vision_embeds")) << "\n";
}

// FastVID's saliency (models/qwen2_5_vl/fastvid_saliency.h) against the reference's formula run by
// scripts/golden/make_fastvid_golden.py (qwen_saliency) on this fixture's captured last-block input; the same
// when the tower runs temporal step by step (chunk_patches). Probabilities < 1: max-abs 1e-5.
TEST(QwenVisionGolden, FastvidSaliencyMatchesTheReference) {
  PEVLM_REQUIRE_GOLDEN();
  VisionTower tower = golden_tower(at::kFloat);
  const auto ck = safetensors::Checkpoint::open(PEVLM_SOURCE_DIR "/tests/data/reduction/fastvid_golden.safetensors");
  const at::Tensor want = safetensors::to_tensor_copy(ck.get("qwen_tiny.saliency")).reshape({-1});
  at::Tensor saliency, chunked;
  tower.forward(golden("pixel_values_videos"), kGoldenGrid, nullptr, 0, &saliency);
  EXPECT_LE((saliency - want).abs().max().item<double>(), 1e-5);
  tower.forward(golden("pixel_values_videos"), kGoldenGrid, nullptr, 48, &chunked);
  EXPECT_LE((chunked - want).abs().max().item<double>(), 1e-5);
  // One softmax per head and step over its 12 merged tokens: each step sums to 1.
  EXPECT_LE((saliency.reshape({3, 12}).sum(1) - 1).abs().max().item<double>(), 1e-5);
}

// bf16 compute (the default for real models) against the fp32 golden: bf16 has 8 mantissa bits
// (relative step 2^-8 = 0.004) and errors accumulate over 4 blocks; NMSE below 1e-3 (~3% relative
// RMS) is what a correct bf16 path gives, a wrong op gives NMSE ~1.
TEST(QwenVisionGolden, Bf16PathStaysCloseToFp32Golden) {
  PEVLM_REQUIRE_GOLDEN();
  VisionTower tower = golden_tower(at::kBFloat16);
  at::Tensor emb = tower.forward(golden("pixel_values_videos"), kGoldenGrid);
  EXPECT_EQ(emb.scalar_type(), at::kBFloat16);
  const double ne = testing::nmse(emb, golden("vision_embeds"));
  EXPECT_LT(ne, 1e-3);
  std::cout << "[vision bf16] vision_embeds nmse " << ne << ", max-abs " << testing::max_abs(emb, golden("vision_embeds"))
            << "\n";
}

TEST(QwenVisionGolden, TimesTheGoldenForward) {
  PEVLM_REQUIRE_GOLDEN();
  VisionTower tower = golden_tower(at::kFloat);
  at::Tensor px = golden("pixel_values_videos");
  tower.forward(px, kGoldenGrid);  // warm-up
  const auto t0 = std::chrono::steady_clock::now();
  const int reps = 10;
  for (int i = 0; i < reps; ++i) ASSERT_EQ(tower.forward(px, kGoldenGrid).size(0), 36);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / reps;
  std::cout << "[vision timing] golden tiny tower, 144 patches, fp32: " << ms << " ms per forward ("
            << at::get_num_threads() << " threads)\n";
}

// A checkpoint written to a temp folder from the golden weights with one tensor changed.
std::string write_modified_checkpoint(const std::string& drop, const std::string& reshape, bool model_prefix) {
  const auto src = safetensors::SafetensorsFile::open(testing::golden_file("model.safetensors"));
  safetensors::SafetensorsWriter writer;
  for (const auto& view : src.tensors()) {
    if (view.name == drop) continue;
    at::Tensor t = safetensors::to_tensor_copy(view);
    if (view.name == reshape) t = t.reshape({-1});
    std::string name = view.name;
    if (model_prefix && name.rfind("visual.", 0) == 0) name = "model." + name;
    safetensors::add_tensor(writer, name, t);
  }
  const auto dir = std::filesystem::temp_directory_path() /
                   ("pevlm_qwen_vision_test_" + std::to_string(::getpid()) + "_" + std::to_string(std::rand()));
  std::filesystem::create_directories(dir);
  writer.write((dir / "model.safetensors").string());
  return dir.string();
}

TEST(QwenVisionWeights, AcceptsModelVisualPrefix) {
  PEVLM_REQUIRE_GOLDEN();
  const std::string dir = write_modified_checkpoint("", "", /*model_prefix=*/true);
  const Qwen25VLConfig cfg = load_config(testing::golden_file("config.json"));
  const auto ck = safetensors::Checkpoint::open(dir);
  EXPECT_EQ(vision_prefix(ck), "model.visual.");
  at::Tensor emb = VisionTower::load(ck, cfg.vision, at::kFloat).forward(golden("pixel_values_videos"), kGoldenGrid);
  expect_close(emb, golden("vision_embeds"), kAbsTol, kNmseTol, "vision_embeds (model.visual.*)");
  std::filesystem::remove_all(dir);
}

void expect_load_error(const std::string& dir, const std::vector<std::string>& fragments) {
  const Qwen25VLConfig cfg = load_config(testing::golden_file("config.json"));
  const auto ck = safetensors::Checkpoint::open(dir);
  try {
    load_vision_weights(ck, cfg.vision, at::kFloat);
    ADD_FAILURE() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    for (const auto& f : fragments) EXPECT_NE(std::string(e.what()).find(f), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(dir);
}

TEST(QwenVisionWeights, MissingTensorNamesTensorAndShape) {
  PEVLM_REQUIRE_GOLDEN();
  expect_load_error(write_modified_checkpoint("visual.blocks.2.mlp.up_proj.bias", "", false),
                    {"visual.blocks.2.mlp.up_proj.bias", "[48]", "missing"});
}

TEST(QwenVisionWeights, WrongShapeNamesTensorAndBothShapes) {
  PEVLM_REQUIRE_GOLDEN();
  expect_load_error(write_modified_checkpoint("", "visual.merger.mlp.0.weight", false),
                    {"visual.merger.mlp.0.weight", "[16384]", "[128, 128]"});
}

TEST(QwenVisionTower, RejectsPixelRowsNotMatchingGrid) {
  VisionConfig c;
  c.depth = 1, c.hidden_size = 32, c.num_heads = 4, c.intermediate_size = 48, c.patch_size = 14;
  c.temporal_patch_size = 2, c.spatial_merge_size = 2, c.window_size = 56, c.out_hidden_size = 64;
  VisionTower tower(c, random_vision_weights(c, at::kFloat));
  EXPECT_THROW(tower.forward(at::zeros({15, 1176}), {{1, 4, 4}}), std::invalid_argument);
  EXPECT_THROW(tower.forward(at::zeros({16, 1000}), {{1, 4, 4}}), std::invalid_argument);
  EXPECT_EQ(tower.forward(at::zeros({16, 1176}), {{1, 4, 4}}).sizes(), (at::IntArrayRef{4, 64}));
}

// Segment attention equals a dense masked softmax reference (block-diagonal mask), fp32.
TEST(QwenVisionTower, SegmentAttentionMatchesDenseBlockDiagonal) {
  at::manual_seed(3);
  const std::vector<int64_t> cu{0, 8, 16, 20, 24, 36};
  at::Tensor q = at::randn({36, 2, 8}), k = at::randn({36, 2, 8}), v = at::randn({36, 2, 8});
  at::Tensor mask = at::full({36, 36}, -INFINITY);
  for (size_t i = 0; i + 1 < cu.size(); ++i) mask.slice(0, cu[i], cu[i + 1]).slice(1, cu[i], cu[i + 1]).fill_(0.0);
  at::Tensor s = at::einsum("qhd,khd->hqk", {q, k}) / std::sqrt(8.0) + mask;
  at::Tensor ref = at::einsum("hqk,khd->qhd", {at::softmax(s, -1), v});
  expect_close(segment_attention(q, k, v, cu), ref, 1e-5, 1e-10, "segment_attention");
}

// Milliseconds of one forward of `config`'s tower with random `dtype` weights on `grid`
// (random pixels), after a warm-up forward on a small grid.
double time_forward(const VisionConfig& config, at::ScalarType dtype, const GridTHW& grid) {
  VisionTower tower(config, random_vision_weights(config, dtype, 1));
  tower.forward(at::randn({16, config.patch_dim()}), {{1, 4, 4}});  // warm-up (library init)
  at::Tensor px = at::randn({grid.patches(), config.patch_dim()});
  const auto t0 = std::chrono::steady_clock::now();
  at::Tensor out = tower.forward(px, {grid});
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(out.sizes(), (at::IntArrayRef{grid.patches() / 4, config.out_hidden_size}));
  EXPECT_TRUE(out.isfinite().all().item<bool>());
  return ms;
}

// 7B-shaped tower (hidden 1280, 16 heads, intermediate 3420, out 3584, window 112) on one 448x448
// frame pair (grid 1x32x32: 1024 patches -> 256 tokens), random weights, bf16 and fp32.
// A full 32-block bf16 forward takes minutes on CPUs without native bf16 GEMM, so this times
// depth 1 (one window block) and depth 2 (window + full block) and extrapolates:
// full = t1 + 31 * (t2 - t1) (patch embed + merger counted once). Runs only with
// PEVLM_VISION_TIMING=1; PEVLM_VISION_TIMING_FULL=1 also times the real 32-block tower.
TEST(QwenVisionTiming, SevenBShapedOneFramePair) {
  if (!std::getenv("PEVLM_VISION_TIMING")) GTEST_SKIP() << "set PEVLM_VISION_TIMING=1 to time the 7B-shaped tower";
  const VisionConfig full = config_preset("qwen2.5-vl-7b").vision;
  const GridTHW grid{1, 32, 32};
  for (at::ScalarType dtype : {at::kBFloat16, at::kFloat}) {
    VisionConfig c1 = full, c2 = full;
    c1.depth = 1, c1.fullatt_block_indexes = {};
    c2.depth = 2, c2.fullatt_block_indexes = {1};
    const double t1 = time_forward(c1, dtype, grid), t2 = time_forward(c2, dtype, grid);
    std::cout << "[vision timing] 7B-shaped, 448x448 frame pair (1024 patches), " << c10::toString(dtype)
              << ", " << at::get_num_threads() << " threads: depth1 " << t1 << " ms, depth2 " << t2
              << " ms, per block " << (t2 - t1) << " ms, extrapolated 32 blocks " << (t1 + 31 * (t2 - t1))
              << " ms\n";
    if (std::getenv("PEVLM_VISION_TIMING_FULL")) {
      std::cout << "[vision timing] 7B-shaped full 32 blocks, " << c10::toString(dtype) << ": "
                << time_forward(full, dtype, grid) << " ms\n";
    }
  }
}

}  // namespace
}  // namespace pevlm::qwen2_5_vl
