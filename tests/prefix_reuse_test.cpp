// Prefix reuse (issue 24 item 7), model side: for every family, method and position policy, a question
// answered from a copy of a prefilled prefix (llm::Decoder::prefill_suffix) gives the logits and the greedy
// answer of a whole prefill of that question; and PrefixReuse serves the second question of a video from
// the first one's prefix, with the same answers as whole prefills.
//
// Which equality: with the reference executor the logits are bitwise equal (its decode computes a row
// exactly as its prefill does, and the projections of a row do not depend on how many rows the GEMM
// holds on this BLAS). The fused CPU executor's decode tiles and merges partial softmax sums in another
// order than its prefill, so its logits differ by float32 rounding (measured: ~5e-7 of the largest
// logit, a few ulps): we allow kTolerance = 2^-16 (~1.5e-5, ~128 float32 ulps of 1.0) of the largest
// logit there, and require identical greedy tokens and answers everywhere.
#include <gtest/gtest.h>
#include <unistd.h>

#include <ATen/ATen.h>

#include <filesystem>

#include "attention/executor.h"
#include "harness/eval/prefix_reuse.h"
#include "methods/method_registry.h"
#include "methods/prefix_plan.h"
#include "models/video_lm/registry.h"
#include "tests/video_lm_golden_util.h"

namespace fs = std::filesystem;

namespace pevlm {
namespace {

const bool kOneThread = test::use_one_thread();
constexpr double kTolerance = 1.0 / 65536;

std::vector<nlohmann::json> tiny_methods() {
  std::vector<nlohmann::json> out{{{"name", "full"}}};
  for (const char* pos : {"retain", "reuse"}) {
    out.push_back({{"name", "block_attention"}, {"block_frames", 1}, {"positions", pos}});
    out.push_back({{"name", "block_attention"}, {"block_tokens", 7}, {"positions", pos}});
    out.push_back({{"name", "ape"}, {"prefix_tokens", 5}, {"block_tokens", 9}, {"positions", pos}});
    out.push_back({{"name", "ape"}, {"prefix_frames", 1}, {"block_frames", 1}, {"positions", pos}});
    out.push_back({{"name", "star"}, {"anchor_tokens", 4}, {"block_tokens", 9}, {"positions", pos}});
    out.push_back({{"name", "star"}, {"block_frames", 1}, {"positions", pos}});
    out.push_back({{"name", "pevlm"}, {"sink_frames", 1}, {"block_frames", 1}, {"positions", pos}});
    out.push_back({{"name", "pevlm"}, {"sink_tokens", 6}, {"block_tokens", 8}, {"positions", pos}});
  }
  return out;
}

struct Loaded {
  std::unique_ptr<VideoLM> model;
  VideoInput input;
  at::Tensor vision;
};

Loaded load_family(const std::string& family, const std::string& executor) {
  const fs::path dir = fs::temp_directory_path() / ("pevlm_prefix_reuse_" + family + "_" + std::to_string(::getpid()));
  if (!fs::exists(dir / "config.json")) {
    fs::remove_all(dir);
    write_tiny_model(dir.string(), {.family = family, .seed = 3});
  }
  LoadRequest request;
  request.dtype = "fp32";
  request.executor = attention::make_executor(executor);
  Loaded l;
  l.model = make_video_lm(dir, request);
  const lvb::PromptPlan plan = l.model->generate_plan(/*frame_count=*/16, /*fps=*/2.0, /*wanted=*/4);
  at::Tensor frames = at::randint(0, 256, {int64_t(plan.frame_indices.size()), 56, 84, 3},
                                  at::TensorOptions().dtype(at::kByte)).contiguous();
  l.input = l.model->prepare(frames, plan, 8.0);
  l.vision = l.model->encode(l.input);
  return l;
}

double max_relative_difference(const at::Tensor& a, const at::Tensor& b) {
  return (a - b).abs().max().item<double>() / std::max(1.0, b.abs().max().item<double>());
}

class PrefixReuseExact : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {};

TEST_P(PrefixReuseExact, SameLogitsAndAnswersAsAWholePrefill) {
  const auto& [family, executor] = GetParam();
  const Loaded l = load_family(family, executor);
  const VideoLM& model = *l.model;
  const llm::Decoder& llm = model.llm();
  const bool bitwise = executor == "reference";
  const std::vector<std::string> questions = {"What is drawn?\nA. a circle\nB. a square\nAnswer:",
                                              "Which colour dominates the second half of the video?\nA. red\nB. blue"};
  double worst = 0;
  for (const nlohmann::json& entry : tiny_methods()) {
    const MethodConfig m = resolve_method(entry);
    PrefixReuse reuse(model);
    for (size_t qi = 0; qi < questions.size(); ++qi) {
      const std::string ctx = family + "/" + executor + " " + m.label() + " question " + std::to_string(qi);
      const VideoPrompt prompt = model.build_prompt(l.input, "You are a helpful assistant.", questions[qi]);
      const at::Tensor x_LD = model.embed_prompt(prompt, l.vision);
      const int64_t P = prompt.layout.question_begin();
      ASSERT_GT(P, 0) << ctx;
      const AttentionPlan plan = build_plan(m, prompt.layout);
      // Whole prefill vs prefix + suffix: last-row logits, then 6 greedy steps with their logits.
      llm::Session whole = llm.prefill(x_LD, plan, model.executor());
      llm::PrefillOptions none;
      none.logits = llm::LogitRows::None;
      const llm::Session prefix = llm.prefill(x_LD.narrow(0, 0, P), prefix_plan(plan, P), model.executor(), none);
      llm::Session split = llm.prefill_suffix(prefix, x_LD.narrow(0, P, x_LD.size(0) - P), plan);
      ASSERT_EQ(split.cache.length, whole.cache.length) << ctx;
      ASSERT_EQ(split.next_position, whole.next_position) << ctx;
      const double d0 = max_relative_difference(split.logits_LV, whole.logits_LV);
      EXPECT_LE(d0, kTolerance) << ctx;
      if (bitwise) EXPECT_TRUE(at::equal(split.logits_LV, whole.logits_LV)) << ctx;
      llm::GenerationOptions gen;
      gen.max_new_tokens = 6;
      gen.keep_logits = true;
      const auto a = llm.generate(whole, gen), b = llm.generate(split, gen);
      EXPECT_EQ(b.tokens, a.tokens) << ctx;
      if (a.tokens.size() == b.tokens.size()) {
        const double d = max_relative_difference(b.logits_NV, a.logits_NV);
        EXPECT_LE(d, kTolerance) << ctx;
        if (bitwise) EXPECT_TRUE(at::equal(b.logits_NV, a.logits_NV)) << ctx;
        worst = std::max({worst, d0, d});
      }
      // The eval path: the second question reuses the first one's prefix and answers as a whole prefill does.
      PrefixReuseFigures f;
      const MethodAnswer reused = reuse.answer("video|protocol", prompt, x_LD, m, 6, f);
      const MethodAnswer alone = model.answer(x_LD, prompt.layout, m, 6);
      EXPECT_EQ(f.reused, qi > 0) << ctx << " " << f.reason;
      EXPECT_EQ(f.prefix_tokens, P) << ctx;
      EXPECT_EQ(f.suffix_tokens, prompt.layout.length - P) << ctx;
      EXPECT_EQ(reused.tokens, alone.tokens) << ctx;
      EXPECT_EQ(reused.response, alone.response) << ctx;
      EXPECT_EQ(reused.token_counts, alone.token_counts) << ctx;
      EXPECT_EQ(reused.timings.prefill_tokens, prompt.layout.length) << ctx;
    }
  }
  std::printf("[prefix reuse] %s/%s: largest logit difference %.3g of the largest logit\n", family.c_str(), executor.c_str(), worst);
}

// Questions that share text after the question's start (Video-MME's subtitles before the question): the
// eval loop passes the shared ids' length, the prefix reaches into the question, and answers stay those of
// a whole prefill (greedy tokens and text).
TEST_P(PrefixReuseExact, SharedTextAfterTheQuestionStartIsPrefilledOnce) {
  const auto& [family, executor] = GetParam();
  const Loaded l = load_family(family, executor);
  const VideoLM& model = *l.model;
  const std::string subs = "This video's subtitles are listed below:\nhello there\nsee you\n";
  const std::vector<std::string> questions = {subs + "What is drawn?\nA. a circle\nB. a square",
                                              subs + "Which colour dominates?\nA. red\nB. blue"};
  std::vector<VideoPrompt> prompts;
  for (const std::string& q : questions) prompts.push_back(model.build_prompt(l.input, "You are a helpful assistant.", q));
  const int64_t shared = shared_prefix_length({&prompts[0].ids, &prompts[1].ids});
  ASSERT_GT(shared, prompts[0].layout.question_begin() + 5) << "the subtitle text is shared";
  for (const nlohmann::json& entry : tiny_methods()) {
    const MethodConfig m = resolve_method(entry);
    PrefixReuse reuse(model);
    for (size_t qi = 0; qi < prompts.size(); ++qi) {
      const std::string ctx = family + "/" + executor + " " + m.label() + " question " + std::to_string(qi);
      const at::Tensor x_LD = model.embed_prompt(prompts[qi], l.vision);
      PrefixReuseFigures f;
      const MethodAnswer reused = reuse.answer("video|protocol", prompts[qi], x_LD, m, 6, f, shared);
      const MethodAnswer alone = model.answer(x_LD, prompts[qi].layout, m, 6);
      EXPECT_EQ(f.reused, qi > 0) << ctx << " " << f.reason;
      EXPECT_EQ(f.prefix_tokens, shared) << ctx;
      EXPECT_EQ(reused.tokens, alone.tokens) << ctx;
      EXPECT_EQ(reused.response, alone.response) << ctx;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Families, PrefixReuseExact,
                         ::testing::Combine(::testing::Values("qwen2_5_vl", "qwen3_vl", "llava_video", "longvila"),
                                            ::testing::Values("cpu", "reference")));

TEST(PrefixReuse, AnotherVideoOrMethodPrefillsAnew) {
  const Loaded l = load_family("qwen2_5_vl", "reference");
  const VideoLM& model = *l.model;
  const VideoPrompt prompt = model.build_prompt(l.input, "sys", "Question?\nA. x\nB. y");
  const at::Tensor x_LD = model.embed_prompt(prompt, l.vision);
  const MethodConfig pevlm = resolve_method({{"name", "pevlm"}, {"sink_frames", 1}, {"block_frames", 1}});
  const MethodConfig full = resolve_method({{"name", "full"}});
  PrefixReuse reuse(model);
  PrefixReuseFigures f;
  reuse.answer("v1|p", prompt, x_LD, pevlm, 2, f);
  EXPECT_FALSE(f.reused);
  reuse.answer("v1|p", prompt, x_LD, pevlm, 2, f);
  EXPECT_TRUE(f.reused);
  reuse.answer("v2|p", prompt, x_LD, pevlm, 2, f);  // another video
  EXPECT_FALSE(f.reused);
  reuse.answer("v2|p", prompt, x_LD, full, 2, f);  // another method
  EXPECT_FALSE(f.reused);
  // Same group and method but other frames (embeddings): prefilled anew, and the row says why.
  reuse.answer("v2|p", prompt, x_LD * 1.5, full, 2, f);
  EXPECT_FALSE(f.reused);
  EXPECT_NE(f.reason.find("embeddings differ"), std::string::npos) << f.reason;
  reuse.clear();
  reuse.answer("v2|p", prompt, x_LD, full, 2, f);
  EXPECT_FALSE(f.reused);
}

}  // namespace
}  // namespace pevlm
