// FastVID on LLaVA-Video (issue 26 item 3): the SigLIP release's post-layernorm + attention-pooling head
// (models/siglip/pooling_head.h) and the 2x2-pooled saliency / global features (models/llava_video/fastvid_signals.h)
// against scripts/golden/make_fastvid_golden.py's case llava_tiny_head, which runs transformers' SiglipModel
// (saved to tests/data/golden/siglip_tiny_release by save_pretrained, as the hub's so400m folder) the way the
// reference's SigLipVisionAbstract does; then the whole path from pixels: LlavaVideoLM with the model option
// fastvid_siglip -> signals -> the FastVID stage keeps the reference's tokens. And the errors a user meets.
#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include <filesystem>
#include <fstream>

#include "models/llava_video/fastvid_signals.h"
#include "models/llava_video/model.h"
#include "models/llava_video/tiny_model.h"
#include "models/llm/weights.h"
#include "models/safetensors/torch_tensor.h"
#include "models/siglip/pooling_head.h"
#include "reduction/reduced_answer.h"
#include "tests/error_test_util.h"
#include "tests/video_lm_golden_util.h"

namespace lv = pevlm::llava_video;
namespace st = pevlm::safetensors;
namespace fs = std::filesystem;
using pevlm::test::golden;
using pevlm::test::max_abs;

namespace {

const bool kOneThread = pevlm::test::use_one_thread();
const std::string kFixture = PEVLM_SOURCE_DIR "/tests/data/golden/llava_video_tiny";
const std::string kRelease = PEVLM_SOURCE_DIR "/tests/data/golden/siglip_tiny_release";

const st::Checkpoint& fixture_golden() {
  static const st::Checkpoint g = st::Checkpoint::open(kFixture + "/golden.safetensors");
  return g;
}
const st::Checkpoint& fastvid_golden() {
  static const st::Checkpoint g = st::Checkpoint::open(PEVLM_SOURCE_DIR "/tests/data/reduction/fastvid_golden.safetensors");
  return g;
}

const fs::path& fixture_dir() {
  static const fs::path dir = pevlm::test::fixture_copy(kFixture, "fastvid_llava", "", "qwen2",
                                                        pevlm::tokenizer::ChatTemplateLookup::Tokenizer);
  return dir;
}

std::unique_ptr<lv::LlavaVideoLM> load(const nlohmann::json& options) {
  pevlm::LoadRequest r;
  r.dtype = "fp32";
  r.executor = pevlm::attention::make_executor("reference");
  r.options = options;
  return std::make_unique<lv::LlavaVideoLM>(fixture_dir(), r);
}

pevlm::VideoInput golden_video() { return pevlm::test::llava_fixture_video(fixture_golden()); }

// Float32 through a 32-wide LayerNorm, two 32 x 32 products and a softmax over 49 tokens: a few ulps of O(1)
// values; the reference ran the same float32 arithmetic in another order.
constexpr double kHeadTol = 1e-5;

TEST(FastvidLlavaSignals, HeadOnTheTowerFeaturesEqualsTheReference) {
  const auto head = pevlm::siglip::SiglipPoolingHead::load(kRelease, at::kCPU);
  EXPECT_EQ(head.config().hidden_size, 32);
  EXPECT_EQ(head.config().num_heads, 4);
  const at::Tensor features = golden(fixture_golden(), "vision_features");  // [3, 49, 32]
  const pevlm::siglip::PoolingHeadOutput o = head.forward(features);
  const double attn_err = max_abs(o.weights_FN, golden(fastvid_golden(), "llava_tiny_head.head_attention"));
  const double pooled_err = max_abs(o.pooled_FD, golden(fastvid_golden(), "llava_tiny_head.global"));
  std::cout << "[golden] SigLIP head vs transformers: attention max-abs " << attn_err << ", pooled " << pooled_err << "\n";
  EXPECT_LT(attn_err, kHeadTol);
  EXPECT_LT(pooled_err, kHeadTol);
  EXPECT_TRUE(at::allclose(o.weights_FN.sum(1), at::ones({3})));  // a softmax per frame, averaged over heads
  // Frame by frame gives the same (frames are independent; only the GEMM blocking may differ).
  const pevlm::siglip::PoolingHeadOutput one = head.forward(features, 1);
  EXPECT_LT(max_abs(one.weights_FN, o.weights_FN), 1e-7);
  EXPECT_LT(max_abs(one.pooled_FD, o.pooled_FD), kHeadTol);
  const pevlm::FastvidSignals s =
      lv::fastvid_signals(head, features, 7, 2, lv::PoolMode::Average, lv::NewlinePosition::Grid);
  EXPECT_EQ(s.reference, "llava_video");
  ASSERT_EQ(s.saliency_N.sizes(), (std::vector<int64_t>{27}));  // 3 frames x floor(7/2)^2
  EXPECT_LT(max_abs(s.saliency_N.view({3, 9}), golden(fastvid_golden(), "llava_tiny_head.saliency")), kHeadTol);
  // avg_pool2d over the 2x2 cells by hand: frame 1, pooled cell (1, 2) = rows 2-3, columns 4-5.
  const at::Tensor w = o.weights_FN.view({3, 7, 7});
  const double cell = (w[1][2][4] + w[1][2][5] + w[1][3][4] + w[1][3][5]).item<double>() / 4;
  EXPECT_NEAR(s.saliency_N[9 + 1 * 3 + 2].item<double>(), cell, 1e-9);
}

TEST(FastvidLlavaSignals, FromPixelsTheStageKeepsTheReferenceTokens) {
  const auto m = load({{"pool_mode", "average"}, {"fastvid_siglip", kRelease}});
  ASSERT_TRUE(m->provides_fastvid_signals());
  EXPECT_EQ(m->describe()["fastvid_siglip"]["source"], kRelease);
  pevlm::FastvidSignals s;
  const at::Tensor tokens = m->encode_with_fastvid_signals(golden_video(), s);
  EXPECT_TRUE(at::equal(tokens, m->encode(golden_video())));  // the embeddings are encode()'s
  // The tower's float32 output matches the fixture to ~1e-5 (LlavaVideoGolden); the head adds its own rounding.
  EXPECT_LT(max_abs(s.saliency_N.view({3, 9}), golden(fastvid_golden(), "llava_tiny_head.saliency")), 1e-5);
  EXPECT_LT(max_abs(s.global_FG, golden(fastvid_golden(), "llava_tiny_head.global")), 1e-4);
  // The fixture's prompt: 4 text tokens, 3 frames of 3 rows x (3 + newline), the question (LlavaVideoGolden).
  const at::Tensor ids_t = golden(fixture_golden(), "input_ids");
  pevlm::VideoPrompt p;
  p.ids = std::vector<int64_t>(ids_t.data_ptr<int64_t>(), ids_t.data_ptr<int64_t>() + ids_t.numel());
  for (int64_t i = 0; i < tokens.size(0); ++i) p.visual_slots.push_back(4 + i);
  p.layout = pevlm::test::fixture_layout(int64_t(p.ids.size()), {{4, 16}, {16, 28}, {28, 40}});
  const at::Tensor x = m->embed_prompt(p, tokens);
  // The golden case's parameters (llava_tiny_head.params: retention 0.5, c 2, tau 0.9, d 0.4, p 4, beta 0.6, seed 0).
  const pevlm::reduction::ReductionConfig r = pevlm::reduction::resolve_reduction(
      {{"name", "fastvid"}, {"retention", 0.5}, {"c", 2}, {"tau", 0.9}, {"d", 0.4}, {"p", 4}, {"beta", 0.6}, {"seed", 0}});
  const pevlm::reduction::TokenMerge merge = pevlm::reduction::pre_llm_merge(r, p.layout, x, m->family(), &s);
  const int64_t v0 = p.visual_slots.front(), nv = int64_t(p.visual_slots.size());
  std::vector<int64_t> kept;
  for (int64_t t : merge.representative)
    if (t >= v0 && t < v0 + nv) kept.push_back(t - v0);
  const at::Tensor want = golden(fastvid_golden(), "llava_tiny_head.kept");
  EXPECT_EQ(kept, std::vector<int64_t>(want.data_ptr<int64_t>(), want.data_ptr<int64_t>() + want.numel()));
}

// Prefill after the reduction equals transformers' Qwen2ForCausalLM on the same reduced rows at their original,
// gapped positions under a plain causal mask (the golden's inputs: the fixture's embeddings and the head's signals).
TEST(FastvidLlavaSignals, ReducedPrefillLogitsEqualTransformers) {
  const lv::LlavaVideoConfig c = lv::load_config(fixture_dir());
  const auto ck = st::Checkpoint::open(fixture_dir().string());
  const auto names = lv::weight_names(c.layout);
  pevlm::llm::DecoderOptions lo;
  lo.dtype = at::kFloat;
  const pevlm::llm::Decoder llm(c.text, pevlm::llm::load_weights_at(ck, c.text, names.llm_prefix, names.lm_head, at::kFloat), lo);
  const pevlm::TokenLayout layout = pevlm::test::fixture_layout(48, {{4, 16}, {16, 28}, {28, 40}});
  const pevlm::FastvidSignals s{golden(fastvid_golden(), "llava_tiny_head.saliency").reshape({-1}),
                                golden(fastvid_golden(), "llava_tiny_head.global"), "llava_video"};
  const at::Tensor x = golden(fixture_golden(), "inputs_embeds");
  const pevlm::reduction::ReductionConfig r = pevlm::reduction::resolve_reduction(
      {{"name", "fastvid"}, {"retention", 0.5}, {"c", 2}, {"tau", 0.9}, {"d", 0.4}, {"p", 4}, {"beta", 0.6}, {"seed", 0}});
  const pevlm::reduction::MergedInput in =
      pevlm::reduction::apply_merge(x, layout, pevlm::reduction::pre_llm_merge(r, layout, x, "llava_video", &s));
  const at::Tensor want_pos = golden(fastvid_golden(), "llava_tiny_head.reduced_positions");
  ASSERT_EQ(in.layout.length, want_pos.numel());
  for (int64_t i = 0; i < in.layout.length; ++i) EXPECT_EQ(in.layout.positions.at(0, i), want_pos[i].item<int64_t>()) << i;
  auto executor = pevlm::attention::make_executor("reference");
  const auto out = llm.prefill(in.x_LD, pevlm::build_plan(pevlm::resolve_method({{"name", "full"}}), in.layout), *executor,
                               {pevlm::llm::LogitRows::All});
  const double err = max_abs(out.logits_LV, golden(fastvid_golden(), "llava_tiny_head.reduced_logits"));
  std::cout << "[golden] prefill after FastVID vs transformers: max-abs " << err << "\n";
  EXPECT_LT(err, 1e-4);
}

// The LLaVA-OneVision tree (bilinear pooling, one newline after the video): the head's attention interpolated to
// ceil(7 / 2) = 4 per side as the features, then that tree's own selection (golden case onevision_tiny_head).
TEST(FastvidLlavaSignals, OnevisionConfigurationFromPixels) {
  const auto m = load({{"pool_mode", "bilinear"}, {"newline", "one_token"}, {"fastvid_siglip", kRelease}});
  pevlm::FastvidSignals s;
  const at::Tensor tokens = m->encode_with_fastvid_signals(golden_video(), s);
  EXPECT_EQ(s.reference, "llava_onevision");
  EXPECT_LT(max_abs(tokens, golden(fixture_golden(), "video_tokens_bilinear_one_token")), 1e-4);
  EXPECT_LT(max_abs(s.saliency_N.view({3, 16}), golden(fastvid_golden(), "onevision_tiny_head.saliency")), 1e-5);
  EXPECT_LT(max_abs(s.global_FG, golden(fastvid_golden(), "onevision_tiny_head.global")), 1e-4);
  // The fixture's prompt around 3 frames of 16 tokens, the last holding the video's newline.
  const at::Tensor ids_t = golden(fixture_golden(), "input_ids");
  const int64_t* ids = ids_t.data_ptr<int64_t>();
  pevlm::VideoPrompt p;
  p.ids.assign(ids, ids + 4);
  for (int64_t i = 0; i < tokens.size(0); ++i) {
    p.visual_slots.push_back(int64_t(p.ids.size()));
    p.ids.push_back(ids[4]);  // the fixture's video placeholder id
  }
  p.ids.insert(p.ids.end(), ids + 40, ids + ids_t.numel());
  p.layout = pevlm::test::fixture_layout(int64_t(p.ids.size()), {{4, 20}, {20, 36}, {36, 53}});
  const at::Tensor x = m->embed_prompt(p, tokens);
  const pevlm::reduction::ReductionConfig r = pevlm::reduction::resolve_reduction(
      {{"name", "fastvid"}, {"retention", 0.5}, {"c", 2}, {"tau", 0.9}, {"d", 0.4}, {"p", 4}, {"beta", 0.6}, {"seed", 0}});
  const pevlm::reduction::TokenMerge merge = pevlm::reduction::pre_llm_merge(r, p.layout, x, m->family(), &s);
  std::vector<int64_t> kept;
  bool newline_kept = false;
  for (int64_t t : merge.representative) {
    if (t >= 4 && t < 52) kept.push_back(t - 4);
    newline_kept = newline_kept || t == 52;
  }
  const at::Tensor want = golden(fastvid_golden(), "onevision_tiny_head.kept");
  EXPECT_EQ(kept, std::vector<int64_t>(want.data_ptr<int64_t>(), want.data_ptr<int64_t>() + want.numel()));
  EXPECT_TRUE(newline_kept);  // after video_token_len in the reference: never a candidate
}

// The option may name the hub id the checkpoint's mm_vision_tower names: read from the local hub cache, as
// from_pretrained does offline.
TEST(FastvidLlavaSignals, HubIdFromTheLocalCache) {
  const fs::path cache = fs::temp_directory_path() / ("pevlm_fastvid_hub_" + std::to_string(::getpid()));
  fs::remove_all(cache);
  const fs::path snap = cache / "models--google--siglip-so400m-patch14-384" / "snapshots" / "0123abcd";
  fs::create_directories(snap);
  fs::create_directories(snap.parent_path().parent_path() / "refs");
  fs::copy(kRelease, snap, fs::copy_options::recursive);
  std::ofstream(snap.parent_path().parent_path() / "refs" / "main") << "0123abcd";
  ::setenv("HF_HUB_CACHE", cache.c_str(), 1);
  const auto m = load({{"fastvid_siglip", "google/siglip-so400m-patch14-384"}});
  ::unsetenv("HF_HUB_CACHE");
  EXPECT_EQ(m->describe()["fastvid_siglip"]["source"], snap.string());
  pevlm::FastvidSignals s;
  m->encode_with_fastvid_signals(golden_video(), s);
  EXPECT_LT(max_abs(s.saliency_N.view({3, 9}), golden(fastvid_golden(), "llava_tiny_head.saliency")), 1e-5);
  fs::remove_all(cache);
}

TEST(FastvidLlavaSignals, WithoutTheOptionRowsSayWhatToSet) {
  const auto m = load({{"pool_mode", "average"}});
  EXPECT_FALSE(m->provides_fastvid_signals());
  pevlm::FastvidSignals s;
  pevlm::testing::expect_error([&] { m->encode_with_fastvid_signals(golden_video(), s); },
                            {"fastvid_siglip", "siglip-so400m-patch14-384", "attention-pooling head"});
}

TEST(FastvidLlavaSignals, LoadErrorsNameTheFolderAndWhatWasExpected) {
  // A pooling / newline pair neither of FastVID's LLaVA trees runs.
  pevlm::testing::expect_error([&] { load({{"pool_mode", "bilinear"}, {"fastvid_siglip", kRelease}}); },
                            {"fastvid_siglip", "pool_mode bilinear with newline grid", "average + newline grid",
                             "bilinear + one_token"});
  pevlm::testing::expect_error([&] { load({{"fastvid_siglip", 3}}); }, {"fastvid_siglip", "SigLIP release folder"});
  pevlm::testing::expect_error([&] { load({{"fastvid_siglip", "/nonexistent/siglip"}}); }, {"/nonexistent/siglip", "does not exist"});
  const fs::path bad = fs::temp_directory_path() / ("pevlm_bad_siglip_" + std::to_string(::getpid()));
  fs::remove_all(bad);
  fs::create_directories(bad);
  // A config of another model type.
  std::ofstream(bad / "config.json") << R"({"model_type": "clip_vision_model", "hidden_size": 32})";
  pevlm::testing::expect_error([&] { pevlm::siglip::SiglipPoolingHead::load(bad, at::kCPU); },
                            {(bad / "config.json").string(), "clip_vision_model", "\"siglip\""});
  // vision_use_head false: no head to read.
  std::ofstream(bad / "config.json") << R"({"model_type": "siglip", "vision_config": {"vision_use_head": false}})";
  pevlm::testing::expect_error([&] { pevlm::siglip::SiglipPoolingHead::load(bad, at::kCPU); }, {"vision_use_head", "expected true"});
  // A tower without its head (what a LLaVA-Video checkpoint holds): the tensor the loader looked for.
  lv::write_tiny_siglip_release(bad.string(), 1);
  st::SafetensorsWriter w;
  {
    const auto ck = st::Checkpoint::open(bad.string());  // closed before the file is rewritten
    for (const std::string& name : ck.names())
      if (name.find(".head.") == std::string::npos) st::add_tensor(w, name, st::to_device_tensor(ck.get(name), at::kCPU, at::kFloat, true));
  }
  w.write((bad / "model.safetensors").string(), {{"format", "pt"}});
  pevlm::testing::expect_error([&] { pevlm::siglip::SiglipPoolingHead::load(bad, at::kCPU); },
                            {"vision_model.head.probe", "google/siglip-so400m-patch14-384"});
  // A release of another size than the tower (a wrong mm_vision_tower download).
  lv::write_tiny_siglip_release(bad.string(), 1);
  std::ofstream(bad / "config.json") << R"({"model_type": "siglip_vision_model", "hidden_size": 48, "num_attention_heads": 4,
                                            "intermediate_size": 48, "image_size": 56, "patch_size": 8})";
  pevlm::testing::expect_error([&] { pevlm::siglip::SiglipPoolingHead::load(bad, at::kCPU); },
                            {"vision_model.post_layernorm.weight", "48"});
  fs::remove_all(bad);
}

// The hub's google/siglip-so400m-patch14-384 config.json as released (transformers 4.37.0.dev0: SiglipModel with
// sparse nested configs; hidden_act, layer_norm_eps and vision_use_head omitted) reads as so400m's head.
TEST(FastvidLlavaSignals, HubSo400mConfigAsReleased) {
  const fs::path dir = fs::temp_directory_path() / ("pevlm_so400m_cfg_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "config.json") << R"({
  "architectures": ["SiglipModel"],
  "initializer_factor": 1.0,
  "model_type": "siglip",
  "text_config": {"hidden_size": 1152, "intermediate_size": 4304, "model_type": "siglip_text_model",
                  "num_attention_heads": 16, "num_hidden_layers": 27},
  "torch_dtype": "float32",
  "transformers_version": "4.37.0.dev0",
  "vision_config": {"hidden_size": 1152, "image_size": 384, "intermediate_size": 4304,
                    "model_type": "siglip_vision_model", "num_attention_heads": 16, "num_hidden_layers": 27,
                    "patch_size": 14}
})";
  const pevlm::siglip::SiglipConfig c = pevlm::siglip::read_release_vision_config(dir);
  const pevlm::siglip::SiglipConfig want = pevlm::siglip::so400m_patch14_384();
  EXPECT_EQ(c.hidden_size, want.hidden_size);
  EXPECT_EQ(c.num_heads, want.num_heads);
  EXPECT_EQ(c.intermediate_size, want.intermediate_size);
  EXPECT_EQ(c.hidden_act, "gelu_pytorch_tanh");
  EXPECT_DOUBLE_EQ(c.layer_norm_eps, 1e-6);
  // Its tensor table: in_proj [3 x 1152, 1152], the probe [1, 1, 1152], fc1 [4304, 1152].
  const auto table = pevlm::siglip::pooling_head_weight_table(c);
  auto shape_of = [&](const std::string& name) {
    for (const auto& w : table)
      if (w.name == name) return w.shape;
    return std::vector<int64_t>{};
  };
  EXPECT_EQ(shape_of("head.attention.in_proj_weight"), (std::vector<int64_t>{3456, 1152}));
  EXPECT_EQ(shape_of("head.probe"), (std::vector<int64_t>{1, 1, 1152}));
  EXPECT_EQ(shape_of("head.mlp.fc1.weight"), (std::vector<int64_t>{4304, 1152}));
  fs::remove_all(dir);
}

TEST(FastvidLlavaSignals, TinyWriterReleaseLoadsBesideTheModel) {
  const fs::path dir = fs::temp_directory_path() / ("pevlm_fastvid_tiny_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  lv::make_tiny_model(dir.string(), {5, false});
  pevlm::LoadRequest r;
  r.dtype = "fp32";
  r.executor = pevlm::attention::make_executor("reference");
  r.options = {{"fastvid_siglip", (dir / lv::kTinySiglipRelease).string()}};
  const lv::LlavaVideoLM m(dir, r);
  const at::Tensor px = at::rand({4, 3, 56, 56});
  pevlm::VideoInput v;
  v.chunks.push_back({px, {4, 7, 7}});
  v.pieces.push_back({"", 0});
  pevlm::FastvidSignals s;
  m.encode_with_fastvid_signals(v, s);
  EXPECT_EQ(s.saliency_N.sizes(), (std::vector<int64_t>{4 * 9}));
  EXPECT_EQ(s.global_FG.sizes(), (std::vector<int64_t>{4, 32}));
  EXPECT_TRUE(at::all(s.saliency_N > 0).item<bool>());
  fs::remove_all(dir);
}

}  // namespace
