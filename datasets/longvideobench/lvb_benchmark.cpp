// LongVideoBench as a datasets::Benchmark (see lvb_benchmark.h). Rows and cache keys keep exactly the
// fields they had before the interface (protocol JSON = Protocol::to_json()), so earlier runs resume.
#include "datasets/longvideobench/lvb_benchmark.h"

#include <stdexcept>

#include "datasets/longvideobench/annotations.h"
#include "datasets/longvideobench/protocol.h"
#include "datasets/longvideobench/subtitles.h"

namespace pevlm::lvb {
namespace {

datasets::Sample to_generic(const Sample& s, size_t index) {
  datasets::Sample g;
  g.id = s.id;
  g.question_id = s.id;
  g.video_id = s.video_id;
  g.video_path = s.video_path;
  g.video_file = s.video_file;
  g.subtitle_file = s.subtitle_file;
  g.question = s.question;
  g.options = s.candidates;
  g.answer = s.correct_letter();
  g.categories["question_category"] = {s.question_category};
  g.categories["level"] = {s.level};
  g.categories["topic_category"] = {s.topic_category};
  g.duration_group = std::to_string(s.duration_group);
  g.duration = s.duration;
  g.video_missing = s.video_missing;
  g.subtitle_missing = s.subtitle_missing;
  g.error = s.error;
  g.native_index = index;
  return g;
}

class LongVideoBench final : public datasets::Benchmark {
 public:
  LongVideoBench(std::vector<Sample> native, std::string split, Protocol protocol, nlohmann::json card)
      : native_(std::move(native)), split_(std::move(split)), protocol_(std::move(protocol)), card_(std::move(card)) {
    for (size_t i = 0; i < native_.size(); ++i) samples_.push_back(to_generic(native_[i], i));
  }
  std::string name() const override { return "longvideobench"; }
  std::string split() const override { return split_; }
  const std::vector<datasets::Sample>& samples() const override { return samples_; }
  nlohmann::json protocol_json() const override {
    nlohmann::json j = protocol_.to_json();
    if (!card_.is_null()) j["card"] = card_;
    return j;
  }
  bool open_ended() const override { return protocol_.open_ended; }
  int max_new_tokens() const override { return protocol_.max_new_tokens; }
  bool apply_rotation() const override { return protocol_.apply_rotation; }
  std::string sample_problem(const datasets::Sample& s) const override { return lvb::sample_problem(protocol_, native(s)); }
  lvb::PromptPlan plan(const datasets::Sample& s, const VideoProbe& probe) const override {
    std::vector<Subtitle> subs;
    if (protocol_.subtitles) subs = load_subtitles(s.subtitle_file);
    return build_prompt_plan(protocol_, native(s), probe, protocol_.subtitles ? &subs : nullptr);
  }
  // lmms-eval's random fallback stays, seeded per sample and flagged per row (answer.h).
  answers::AnswerRule answer_rule() const override {
    return {answers::AnswerExtractor::LmmsLongVideoBench, answers::UnparsedPolicy::SeededRandom, protocol_.fallback_seed};
  }
  nlohmann::json row_fields(const datasets::Sample& g) const override {
    const Sample& s = native(g);
    return {{"duration_group", s.duration_group},
            {"question_category", s.question_category},
            {"level", s.level},
            {"duration_s", s.duration},
            {"position", s.position}};  // LongVideoBench's referred positions (report: accuracy by position)
  }
  std::vector<datasets::MetricDefinition> metrics() const override {
    return {{"accuracy", "accuracy", "", "correct / scored (lmms-eval longvideobench_aggregate_results)"},
            {"accuracy per duration group", "per_value", "duration_group", "15, 60, 600, 3600 s"},
            {"accuracy per question category", "per_value", "question_category", "17 categories"},
            {"accuracy per level", "per_value", "level", "L1-Perception, L2-Relation"}};
  }

 private:
  const Sample& native(const datasets::Sample& s) const { return native_.at(s.native_index); }
  std::vector<Sample> native_;
  std::vector<datasets::Sample> samples_;
  std::string split_;
  Protocol protocol_;
  nlohmann::json card_;
};

Protocol protocol_of(const nlohmann::json& j) {
  if (j.is_null() || (j.is_object() && j.empty())) return make_protocol("lmms_val_v");
  if (!j.is_object() || !j.contains("name") || !j["name"].is_string())
    throw std::invalid_argument("LongVideoBench protocol: expected a mapping with a string 'name'");
  nlohmann::json overrides = j;
  overrides.erase("name");
  return make_protocol(j["name"].get<std::string>(), overrides);
}

}  // namespace

nlohmann::json check_protocol_json(const nlohmann::json& protocol) { return protocol_of(protocol).to_json(); }

std::unique_ptr<datasets::Benchmark> open_benchmark(const datasets::DatasetSpec& spec) {
  const std::string split = spec.split.empty() ? "val" : spec.split;
  if (split != "val" && split != "test")
    throw std::invalid_argument("LongVideoBench: unknown split \"" + split + "\"; valid: val, test");
  Protocol protocol = protocol_of(spec.protocol);
  return std::make_unique<LongVideoBench>(load_annotations(spec.root, split == "val" ? kValFile : kTestFile), split,
                                          std::move(protocol), spec.card);
}

}  // namespace pevlm::lvb
