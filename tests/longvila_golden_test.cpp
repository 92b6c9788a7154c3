// LongVILA against transformers + VILA's projector lines (tests/data/golden/longvila_tiny, written by
// scripts/golden/make_longvila_golden.py in VILA's split layout with a sharded llm/): SigLIP
// hidden_states[-2], the 2x2 space-to-channel with zero padding of the odd 7x7 grid, the
// LayerNorm-Linear-GELU-Linear projector, the "\n" embedding after every frame, full prefill logits,
// every method's mask/positions/logits and 8 greedy tokens. fp32, max-abs <= 1e-4.
#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include <fstream>

#include "models/longvila/model.h"
#include "models/video_lm/qwen2_backbone.h"
#include "tests/error_test_util.h"
#include "tests/video_lm_golden_util.h"

namespace lvl = pevlm::longvila;
namespace st = pevlm::safetensors;
using pevlm::test::golden;
using pevlm::test::max_abs;

namespace {

const bool kOneThread = pevlm::test::use_one_thread();
const std::string kFixture = PEVLM_SOURCE_DIR "/tests/data/golden/longvila_tiny";
constexpr int64_t kPrefix = 4;
const std::vector<std::pair<int64_t, int64_t>> kFrames = {{4, 21}, {21, 38}, {38, 55}};

const st::Checkpoint& fixture_golden() {
  static const st::Checkpoint g = st::Checkpoint::open(kFixture + "/golden.safetensors");
  return g;
}

std::filesystem::path fixture_dir() {
  static const std::filesystem::path d =
      pevlm::test::fixture_copy(kFixture, "longvila_golden", "llm", "qwen2", pevlm::tokenizer::ChatTemplateLookup::Tokenizer);
  return d;
}

std::unique_ptr<lvl::LongVilaLM> load(const std::filesystem::path& dir = fixture_dir()) {
  pevlm::LoadRequest r;
  r.dtype = "fp32";
  r.executor = pevlm::attention::make_executor("reference");
  return std::make_unique<lvl::LongVilaLM>(dir, r);
}

TEST(LongVilaGolden, SplitFolderConfig) {
  const auto m = load();
  EXPECT_EQ(m->config().vision_layers, 2);
  EXPECT_EQ(m->config().tokens_per_frame(), 16);  // 7x7 padded to 8x8, 2x2 merged
  EXPECT_DOUBLE_EQ(m->config().text.rope_theta, 1.53e7);
  EXPECT_EQ(m->describe()["config"]["vision"]["tokens_per_frame"], 17);
}

TEST(LongVilaGolden, VisionSpaceToChannelAndProjector) {
  const auto m = load();
  EXPECT_LT(max_abs(m->vision_features(golden(fixture_golden(), "pixel_values")), golden(fixture_golden(), "vision_features")), 1e-4);
  EXPECT_LT(max_abs(lvl::space_to_channel(golden(fixture_golden(), "vision_features")), golden(fixture_golden(), "space_to_channel")),
            1e-6);
  EXPECT_LT(max_abs(m->projector().forward(golden(fixture_golden(), "vision_features")), golden(fixture_golden(), "projected")), 1e-4);
}

TEST(LongVilaGolden, WrongMergeOrderFailsParity) {
  // Column-major 2x2 blocks ((r,c),(r+1,c),(r,c+1),(r+1,c+1)) instead of VILA's order must not match.
  const at::Tensor f = golden(fixture_golden(), "vision_features");
  const at::Tensor x = at::constant_pad_nd(f.reshape({3, 7, 7, 32}), {0, 0, 0, 1, 0, 1});
  const at::Tensor wrong = x.view({3, 4, 2, 4, 2, 32}).permute({0, 1, 3, 4, 2, 5}).reshape({3, 16, 128});
  EXPECT_GT(max_abs(wrong, golden(fixture_golden(), "space_to_channel")), 1e-2);
}

TEST(LongVilaGolden, EmbeddedSequencePrefillAndGreedy) {
  const auto m = load();
  pevlm::VideoInput v;
  const at::Tensor px = golden(fixture_golden(), "pixel_values");
  v.chunks.push_back({px, {3, 7, 7}});
  v.pieces.push_back({"", 0});
  const at::Tensor tokens = m->encode(v);
  const at::Tensor ids_t = golden(fixture_golden(), "input_ids");
  pevlm::VideoPrompt p;
  p.ids = std::vector<int64_t>(ids_t.data_ptr<int64_t>(), ids_t.data_ptr<int64_t>() + ids_t.numel());
  for (const auto& [b, e] : kFrames)
    for (int64_t i = b; i < e - 1; ++i) p.visual_slots.push_back(i);  // the frame's last row is the "\n" token
  p.layout = pevlm::test::fixture_layout(int64_t(p.ids.size()), kFrames);
  const at::Tensor x = m->embed_prompt(p, tokens);
  EXPECT_LT(max_abs(x, golden(fixture_golden(), "inputs_embeds")), 1e-4);
  const auto s = m->prefill(x, p.layout, pevlm::resolve_method({{"name", "full"}}));
  EXPECT_LT(max_abs(s.logits_LV[0], golden(fixture_golden(), "prefill_logits")[-1]), 1e-4);
  const pevlm::MethodAnswer a = m->answer(x, p.layout, pevlm::resolve_method({{"name", "full"}}), 8);
  const at::Tensor want = golden(fixture_golden(), "generated_ids");
  EXPECT_EQ(a.tokens, std::vector<int64_t>(want.data_ptr<int64_t>(), want.data_ptr<int64_t>() + want.numel()));
}

TEST(LongVilaGolden, EveryMethodMaskPositionsAndLogits) {
  const auto c = lvl::load_config(fixture_dir());
  pevlm::llm::DecoderOptions lo;
  lo.dtype = at::kFloat;
  const auto ck = st::Checkpoint::open((fixture_dir() / "llm").string());
  const pevlm::llm::Decoder llm(c.text, pevlm::llm::load_weights_at(ck, c.text, "model.", "lm_head.weight", at::kFloat), lo);
  pevlm::test::expect_methods_match(llm, fixture_golden(), pevlm::test::fixture_layout(63, kFrames), kPrefix);
}

TEST(LongVilaGolden, PreprocessMatchesPillowExactly) {
  // VILA's process_image: PIL resize (BICUBIC) to 56 x 56, then the tower's rescale + normalise.
  const auto m = load();
  pevlm::lvb::PromptPlan plan;
  const at::Tensor px = m->prepare(golden(fixture_golden(), "raw_frames"), plan, 1.0).chunks.at(0).pixels;
  EXPECT_TRUE(at::equal(px, golden(fixture_golden(), "pixel_values")));
}

TEST(LongVilaGolden, PromptPutsANewlineTokenAfterEveryFrame) {
  const auto m = load();
  pevlm::VideoInput v;
  v.chunks.push_back({golden(fixture_golden(), "pixel_values"), {3, 7, 7}});
  v.pieces.push_back({"", 0});
  const pevlm::VideoPrompt p = m->build_prompt(v, "You are a helpful assistant.", "Which?");
  ASSERT_EQ(p.layout.num_frames(), 3);
  const int64_t nl = pevlm::tokenizer::Tokenizer::load(fixture_dir() / "llm").encode("\n", false).at(0);
  for (int64_t f = 0; f < 3; ++f) {
    EXPECT_EQ(p.layout.frame_start(f + 1) - p.layout.frame_start(f), 17);
    EXPECT_EQ(p.ids[size_t(p.layout.frame_start(f + 1) - 1)], nl);
  }
  EXPECT_EQ(p.visual_slots.size(), 48u);
}

TEST(LongVilaGolden, LoadingErrorsNameFolderFileAndTensor) {
  namespace fs = std::filesystem;
  const fs::path bad = fs::temp_directory_path() / ("pevlm_longvila_bad_" + std::to_string(::getpid()));
  fs::remove_all(bad);
  fs::copy(fixture_dir(), bad, fs::copy_options::recursive);
  fs::remove(bad / "llm" / "model-00002-of-00002.safetensors");
  pevlm::testing::expect_error([&] { load(bad); }, {"model-00002-of-00002.safetensors"});
  fs::copy_file(fixture_dir() / "llm" / "model-00002-of-00002.safetensors", bad / "llm" / "model-00002-of-00002.safetensors");
  std::ofstream(bad / "mm_projector" / "config.json") << R"({"mm_projector_type": "mlp2x_gelu"})";
  pevlm::testing::expect_error([&] { load(bad); }, {"mm_projector/config.json", "mlp2x_gelu", "mlp_downsample"});
  std::ofstream(bad / "mm_projector" / "config.json") << R"({"mm_projector_type": "mlp_downsample"})";
  std::ofstream(bad / "vision_tower" / "config.json")
      << R"({"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 3, "num_attention_heads": 4, "image_size": 56, "patch_size": 8})";
  pevlm::testing::expect_error([&] { load(bad); }, {bad.string(), "vision_model.encoder.layers.0.mlp.fc1.weight", "[64, 32]", "[48, 32]",
                                                    "model.safetensors"});
}

}  // namespace
