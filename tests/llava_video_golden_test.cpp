// LLaVA-Video against transformers (tests/data/golden/llava_video_tiny*, written by
// scripts/golden/make_llava_video_golden.py): SigLIP features (2 of 3 layers, no post-layernorm),
// the per-frame projector, pooling + newlines in every mode, the embedded sequence, full prefill
// logits, every method's mask/positions/logits and 8 greedy tokens, for the lmms-lab layout and the
// transformers llava_onevision layout. fp32, max-abs <= 1e-4 (logit std ~1.6). A wrong pooling mode
// must fail parity (max pooling has the same shape as average and differs by far more).
#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include <fstream>
#include <map>

#include "models/llava_video/model.h"
#include "models/llava_video/pooling.h"
#include "models/video_lm/qwen2_backbone.h"
#include "tests/error_test_util.h"
#include "tests/video_lm_golden_util.h"

namespace lv = pevlm::llava_video;
namespace st = pevlm::safetensors;
using pevlm::test::golden;
using pevlm::test::max_abs;

namespace {

const bool kOneThread = pevlm::test::use_one_thread();
const std::string kFixture = PEVLM_SOURCE_DIR "/tests/data/golden/llava_video_tiny";
const std::string kOnevision = PEVLM_SOURCE_DIR "/tests/data/golden/llava_video_tiny_onevision";
constexpr int64_t kPrefix = 4;  // text tokens before the video in the fixture prompt

// One temporary copy per fixture (writing the tiny tokenizer learns its merges: seconds).
const std::filesystem::path& fixture_dir(const std::string& fixture) {
  static std::map<std::string, std::filesystem::path> copies;
  auto it = copies.find(fixture);
  if (it == copies.end())
    it = copies
             .emplace(fixture, fixture == kOnevision
                                   ? pevlm::test::fixture_copy(fixture, "llava_golden_" + std::to_string(copies.size()), "",
                                                               "llava_onevision", pevlm::tokenizer::ChatTemplateLookup::Processor)
                                   : pevlm::test::fixture_copy(fixture, "llava_golden_" + std::to_string(copies.size()), "",
                                                               "qwen2", pevlm::tokenizer::ChatTemplateLookup::Tokenizer))
             .first;
  return it->second;
}

std::unique_ptr<lv::LlavaVideoLM> load(const std::string& fixture, const nlohmann::json& options = nlohmann::json::object()) {
  const auto& dir = fixture_dir(fixture);
  pevlm::LoadRequest r;
  r.dtype = "fp32";
  r.executor = pevlm::attention::make_executor("reference");
  r.options = options;
  return std::make_unique<lv::LlavaVideoLM>(dir, r);
}

const st::Checkpoint& fixture_golden() {
  static const st::Checkpoint g = st::Checkpoint::open(kFixture + "/golden.safetensors");
  return g;
}

pevlm::VideoInput golden_video() { return pevlm::test::llava_fixture_video(fixture_golden()); }

TEST(LlavaVideoGolden, ConfigOfBothLayouts) {
  const auto lmms = load(kFixture);
  EXPECT_EQ(lmms->config().layout, lv::Layout::LmmsLab);
  EXPECT_EQ(lmms->config().vision_layers, 2);  // the wrapper drops the last of 3 layers
  EXPECT_EQ(lmms->describe()["options"]["pool_mode"], "average");
  const auto one = load(kOnevision);
  EXPECT_EQ(one->config().layout, lv::Layout::Onevision);
  EXPECT_EQ(one->config().vision_layers, 2);  // vision_feature_layer -2
}

TEST(LlavaVideoGolden, VisionFeaturesAndProjector) {
  const auto m = load(kFixture);
  const at::Tensor feat = m->vision_features(golden(fixture_golden(), "pixel_values"));
  EXPECT_LT(max_abs(feat, golden(fixture_golden(), "vision_features")), 1e-4);
  EXPECT_LT(max_abs(m->project(golden(fixture_golden(), "vision_features")), golden(fixture_golden(), "projected")), 1e-4);
}

TEST(LlavaVideoGolden, PoolingAndNewlinesEveryMode) {
  for (const auto& [options, name] : std::vector<std::pair<nlohmann::json, std::string>>{
           {{{"pool_mode", "average"}, {"newline", "grid"}}, "video_tokens_average_grid"},
           {{{"pool_mode", "bilinear"}, {"newline", "grid"}}, "video_tokens_bilinear_grid"},
           {{{"pool_mode", "bilinear"}, {"newline", "one_token"}}, "video_tokens_bilinear_one_token"}}) {
    const auto m = load(kFixture, options);
    const double err = max_abs(m->encode(golden_video()), golden(fixture_golden(), name));
    std::cout << "[golden] " << name << ": max-abs " << err << "\n";
    EXPECT_LT(err, 1e-4) << name;
  }
}

TEST(LlavaVideoGolden, WrongPoolingModeFailsParity) {
  const at::Tensor want = golden(fixture_golden(), "video_tokens_average_grid");
  const auto max_pool = load(kFixture, {{"pool_mode", "max"}});
  const at::Tensor got = max_pool->encode(golden_video());
  ASSERT_EQ(got.sizes(), want.sizes());  // same token count: only the values can tell them apart
  EXPECT_GT((got - want).abs().max().item<double>(), 1e-2);
  const auto bilinear = load(kFixture, {{"pool_mode", "bilinear"}});
  EXPECT_NE(bilinear->encode(golden_video()).size(0), want.size(0));  // 4x4+4 rows per frame, not 3x3+3
  const auto one_token = load(kFixture, {{"newline", "one_token"}});
  EXPECT_NE(one_token->encode(golden_video()).size(0), want.size(0));
}

TEST(LlavaVideoGolden, EmbeddedSequencePrefillAndGreedy) {
  for (const std::string& fixture : {kFixture, kOnevision}) {
    const auto m = load(fixture);
    const at::Tensor tokens = m->encode(golden_video());
    const at::Tensor ids_t = golden(fixture_golden(), "input_ids");
    pevlm::VideoPrompt p;
    p.ids = std::vector<int64_t>(ids_t.data_ptr<int64_t>(), ids_t.data_ptr<int64_t>() + ids_t.numel());
    for (int64_t i = 0; i < tokens.size(0); ++i) p.visual_slots.push_back(kPrefix + i);
    p.layout = pevlm::test::fixture_layout(int64_t(p.ids.size()), {{4, 16}, {16, 28}, {28, 40}});
    const at::Tensor x = m->embed_prompt(p, tokens);
    EXPECT_LT(max_abs(x, golden(fixture_golden(), "inputs_embeds")), 1e-4) << fixture;
    const pevlm::MethodAnswer a = m->answer(x, p.layout, pevlm::resolve_method({{"name", "full"}}), 8);
    const at::Tensor want = golden(fixture_golden(), "generated_ids");
    EXPECT_EQ(a.tokens, std::vector<int64_t>(want.data_ptr<int64_t>(), want.data_ptr<int64_t>() + want.numel())) << fixture;
  }
}

TEST(LlavaVideoGolden, EveryMethodMaskPositionsAndLogits) {
  const auto& dir = fixture_dir(kFixture);
  const lv::LlavaVideoConfig c = lv::load_config(dir);
  const auto ck = st::Checkpoint::open(dir.string());
  const auto names = lv::weight_names(c.layout);
  pevlm::llm::DecoderOptions lo;
  lo.dtype = at::kFloat;
  const pevlm::llm::Decoder llm(c.text, pevlm::llm::load_weights_at(ck, c.text, names.llm_prefix, names.lm_head, at::kFloat),
                                       lo);
  const auto layout = pevlm::test::fixture_layout(48, {{4, 16}, {16, 28}, {28, 40}});
  auto executor = pevlm::attention::make_executor("reference");
  const auto full = llm.prefill(golden(fixture_golden(), "inputs_embeds"), pevlm::build_plan(pevlm::resolve_method({{"name", "full"}}), layout),
                                *executor, {pevlm::llm::LogitRows::All});
  EXPECT_LT(max_abs(full.logits_LV, golden(fixture_golden(), "prefill_logits")), 1e-4);
  pevlm::test::expect_methods_match(llm, fixture_golden(), layout, kPrefix);
}

TEST(LlavaVideoGolden, PromptLayoutHasExactFrameSpansAndOneDPositions) {
  const auto m = load(kFixture, {{"time_instruction", true}});
  pevlm::VideoInput v = golden_video();
  v.pieces.push_back({"Options: A. x", -1});
  v.frame_times = {0.0, 1.5, 3.0};
  v.duration_s = 4.0;
  const pevlm::VideoPrompt p = m->build_prompt(v, "You are a helpful assistant.", "What is shown?");
  EXPECT_EQ(p.layout.num_frames(), 3);
  for (int64_t f = 0; f < 3; ++f) EXPECT_EQ(p.layout.frame_start(f + 1) - p.layout.frame_start(f), 12);  // 3 x (3 + newline)
  EXPECT_EQ(p.visual_slots.size(), 36u);
  EXPECT_EQ(p.layout.positions.axes, 1);
  EXPECT_EQ(p.layout.positions.max_id(), p.layout.length - 1);
  EXPECT_NE(p.text.find("The video lasts for 4.00 seconds, and 3 frames are uniformly sampled from it. These frames are "
                        "located at 0.00s,1.50s,3.00s.Please answer"),
            std::string::npos)
      << p.text;
  EXPECT_NE(p.text.find("<|im_start|>user\n<image>\nThe video lasts"), std::string::npos) << p.text;
}

TEST(LlavaVideoGolden, PreprocessMatchesPillowExactly) {
  // SigLipImageProcessor: Pillow bicubic (siglip::pil_resize_bicubic, bit-exact), rescale, normalise.
  const auto m = load(kFixture);
  const at::Tensor raw = golden(fixture_golden(), "raw_frames");
  const at::Tensor want = golden(fixture_golden(), "pixel_values");
  pevlm::lvb::PromptPlan plan;
  EXPECT_TRUE(at::equal(m->prepare(raw, plan, 1.0).chunks.at(0).pixels, want));
  // The same frames in other memory layouts: padded rows, every other frame of a longer clip, planar.
  const int64_t T = raw.size(0), H = raw.size(1), W = raw.size(2);
  at::Tensor padded = at::zeros({T, H, W + 5, 3}, at::kByte);
  padded.narrow(2, 0, W).copy_(raw);
  at::Tensor clip = at::zeros({2 * T, H, W, 3}, at::kByte);
  clip.slice(0, 0, 2 * T, 2).copy_(raw);
  const at::Tensor planar = raw.permute({0, 3, 1, 2}).contiguous().permute({0, 2, 3, 1});
  for (const at::Tensor& frames : {padded.narrow(2, 0, W), clip.slice(0, 0, 2 * T, 2), planar}) {
    ASSERT_FALSE(frames.is_contiguous());
    EXPECT_TRUE(at::equal(pevlm::square_pixels(frames, 56, {0.5, 0.5, 0.5}, {0.5, 0.5, 0.5}), want));
  }
  pevlm::testing::expect_error([&] { pevlm::square_pixels(raw.to(at::kFloat), 56, {0.5, 0.5, 0.5}, {0.5, 0.5, 0.5}); },
                               {"square_pixels", "uint8 RGB frames [T>=1, H>=1, W>=1, 3]", "Float"});
}

}  // namespace

namespace {

TEST(LlavaVideoGolden, ConfigAndOptionErrorsNameTheKey) {
  pevlm::testing::expect_error([] { load(kFixture, {{"pool_mode", "median"}}); }, {"pool_mode", "median", "average, bilinear, max"});
  pevlm::testing::expect_error([] { load(kFixture, {{"pooling", "average"}}); },
                               {"'pooling' is unknown", "pool_mode, newline, time_instruction, frames"});
  nlohmann::json doc = nlohmann::json::parse(std::ifstream(kFixture + "/config.json"));
  doc["mm_projector_type"] = "identity";
  pevlm::testing::expect_error([&] { lv::parse_config(doc, "x/config.json"); },
                               {"x/config.json", "mm_projector_type", "identity", "mlp2x_gelu"});
  doc = nlohmann::json::parse(std::ifstream(kFixture + "/config.json"));
  doc.erase("vision_config");
  doc["mm_vision_tower"] = "openai/clip-vit-large-patch14";
  pevlm::testing::expect_error([&] { lv::parse_config(doc, "x/config.json"); }, {"mm_vision_tower", "clip-vit-large", "so400m"});
}

}  // namespace
