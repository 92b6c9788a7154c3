// Every decoder on every family (issue 23): on each family's tiny checkpoint (fp32), StD (several K,
// both verify modes) and the draft-model decoders (vanilla speculative, ParallelVLM with both
// pipelines; the draft a second tiny checkpoint of the same family with other random weights) give the
// greedy tokens exactly (lossless), with their speculative figures; a draft of another family is an
// error naming both folders.
#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

#include "attention/executor.h"
#include "decoders/decoder_registry.h"
#include "methods/method_registry.h"
#include "models/video_lm/registry.h"
#include "models/video_lm/video_lm.h"

namespace fs = std::filesystem;

namespace pevlm {
namespace {

const fs::path& root() {
  static const fs::path p = fs::temp_directory_path() / ("pevlm_decoder_family_" + std::to_string(::getpid()));
  return p;
}

// The tiny checkpoint of `family` with `seed` (written once per process).
fs::path tiny(const std::string& family, int seed) {
  const fs::path dir = root() / (family + "_" + std::to_string(seed));
  if (!fs::exists(dir / "config.json")) {
    fs::create_directories(dir.parent_path());
    write_tiny_model(dir.string(), {.family = family, .seed = uint64_t(seed), .bf16 = false});
  }
  return dir;
}

std::unique_ptr<VideoLM> load(const fs::path& dir) {
  LoadRequest r;
  r.dtype = "fp32";
  r.executor = attention::make_executor("cpu");
  return make_video_lm(dir, r);
}

struct Sample {
  VideoInput video;
  VideoPrompt prompt;
  at::Tensor x_LD;
};

const std::string kSystem = "You are a helpful assistant.", kQuestion = "What happens in the video?";

Sample sample(const VideoLM& model) {
  at::manual_seed(11);
  const at::Tensor all = at::randint(0, 256, {8, 56, 56, 3}, at::kByte);
  const lvb::PromptPlan plan = model.generate_plan(8, 2.0, 4);
  const at::Tensor frames = all.index_select(0, at::tensor(plan.frame_indices, at::kLong));
  Sample s;
  s.video = model.prepare(frames, plan, 4.0);
  s.prompt = model.build_prompt(s.video, kSystem, kQuestion);
  s.x_LD = model.embed_prompt(s.prompt, model.encode(s.video));
  return s;
}

DecoderConfig decoder(const nlohmann::json& entry) { return resolve_decoder(entry); }

class DecoderFamily : public ::testing::TestWithParam<std::string> {};

TEST_P(DecoderFamily, StdAndDraftDecodersAreLossless) {
  const std::string family = GetParam();
  const fs::path target_dir = tiny(family, 1), draft_dir = tiny(family, 2);
  const auto model = load(target_dir);
  ASSERT_EQ(model->family(), family);
  const Sample s = sample(*model);
  const MethodConfig method = resolve_method(nlohmann::json{{"name", "full"}});
  constexpr int64_t kTokens = 24;
  const MethodAnswer greedy = model->answer(s.x_LD, s.prompt.layout, method, kTokens);
  ASSERT_FALSE(greedy.tokens.empty());
  for (const nlohmann::json& d : {nlohmann::json{{"name", "std"}, {"k_tokens", 4}, {"gamma", 3}, {"verify", "batched"}},
                                  nlohmann::json{{"name", "std"}, {"k_tokens", 1000}, {"gamma", 5}, {"verify", "sequential"}}}) {
    const MethodAnswer a = model->answer(s.x_LD, s.prompt.layout, method, kTokens, decoder(d));
    EXPECT_EQ(a.tokens, greedy.tokens) << family << " " << d.dump();
    EXPECT_EQ(a.response, greedy.response) << family << " " << d.dump();
    ASSERT_TRUE(a.speculative.has_value()) << d.dump();
    EXPECT_GT(a.speculative->rounds, 0);
    EXPECT_GT(a.selection.at("visual_tokens").get<int64_t>(), 0) << family;
  }
  const std::unique_ptr<DraftModels> drafts = model->draft_models(target_dir);
  ASSERT_TRUE(drafts) << family << " has no draft models";
  const DraftInput draft = drafts->input(draft_dir.string(), s.video, kSystem, kQuestion, s.prompt.ids);
  for (const nlohmann::json& d :
       {nlohmann::json{{"name", "speculative"}, {"draft_model", draft_dir.string()}, {"gamma", 3}},
        nlohmann::json{{"name", "parallelvlm"}, {"draft_model", draft_dir.string()}, {"alpha", 0.5}, {"early_layers", 1},
                       {"gamma", 3}, {"pipeline", "threads"}},
        nlohmann::json{{"name", "parallelvlm"}, {"draft_model", draft_dir.string()}, {"alpha", 0.9}, {"early_layers", 2},
                       {"gamma", 2}, {"pipeline", "sequential"}}}) {
    const MethodAnswer a = model->answer(s.x_LD, s.prompt.layout, method, kTokens, decoder(d), &draft);
    EXPECT_EQ(a.tokens, greedy.tokens) << family << " " << d.dump();
    ASSERT_TRUE(a.speculative.has_value());
    EXPECT_TRUE(a.speculative->two_models);
  }
}

TEST(DecoderFamilyDraft, AnotherFamilyCannotDraft) {
  const fs::path target_dir = tiny("llava_video", 1), other = tiny("longvila", 2);
  const auto model = load(target_dir);
  const Sample s = sample(*model);
  const std::unique_ptr<DraftModels> drafts = model->draft_models(target_dir);
  try {
    drafts->input(other.string(), s.video, kSystem, kQuestion, s.prompt.ids);
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(other.string()), std::string::npos) << what;
    EXPECT_NE(what.find(target_dir.string()), std::string::npos) << what;
    EXPECT_NE(what.find("family longvila"), std::string::npos) << what;
  }
}

INSTANTIATE_TEST_SUITE_P(Families, DecoderFamily, ::testing::Values("qwen2_5_vl", "qwen3_vl", "llava_video", "longvila"));

}  // namespace
}  // namespace pevlm
