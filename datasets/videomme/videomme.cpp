// Video-MME protocols, prompts and the Benchmark implementation (see videomme.h).
#include "datasets/videomme/videomme.h"

#include <stdexcept>

#include "datasets/dataset/mc_frames.h"
#include "datasets/videomme/annotations.h"
#include "datasets/videomme/srt.h"
#include "datasets/videomme/subtitle_select.h"

namespace pevlm::videomme {
namespace {

std::string valid_names() {
  std::string v;
  for (const auto& n : protocol_names()) v += (v.empty() ? "" : ", ") + n;
  return v;
}

datasets::McProtocol defaults(const std::string& name) {
  datasets::McProtocol p;
  p.benchmark = "videomme";
  p.name = name;
  p.max_new_tokens = 16;  // lmms-eval videomme.yaml generation_kwargs
  p.extractor = "videomme_regex";
  if (name == "official" || name == "official_sub") {
    p.pre_prompt = kOfficialInstruction;
    p.post_prompt = "The best answer is:";
    if (name == "official_sub") p.subtitles = "sampled_frames";
  } else if (name == "lmms" || name == "lmms_sub") {
    p.pre_prompt = kLmmsInstruction;
    if (name == "lmms") {
      p.post_prompt = "\nAnswer the question with A, B, C, or D.";  // videomme.yaml default post_prompt
    } else {
      p.post_prompt = "The best answer is:";  // videomme_doc_to_text_subtitle ignores the yaml's post_prompt
      p.subtitles = "lmms_frame_num";
      p.subtitle_frame_num = 32;  // videomme_w_subtitle.yaml lmms_eval_specific_kwargs default frame_num
    }
  } else {
    throw std::invalid_argument("unknown Video-MME protocol \"" + name + "\"; valid: " + valid_names());
  }
  return p;
}

class VideoMme final : public datasets::Benchmark {
 public:
  VideoMme(std::vector<datasets::Sample> samples, datasets::McProtocol protocol, nlohmann::json card)
      : samples_(std::move(samples)), protocol_(std::move(protocol)), card_(std::move(card)) {}
  std::string name() const override { return "videomme"; }
  std::string split() const override { return "test"; }
  const std::vector<datasets::Sample>& samples() const override { return samples_; }
  nlohmann::json protocol_json() const override {
    nlohmann::json j = protocol_.to_json();
    if (!card_.is_null()) j["card"] = card_;
    return j;
  }
  int max_new_tokens() const override { return protocol_.max_new_tokens; }
  bool apply_rotation() const override { return protocol_.apply_rotation; }
  std::string assistant_prefix() const override { return protocol_.assistant_prefix; }
  answers::AnswerRule answer_rule() const override {
    return {answers::answer_extractor_from_name(protocol_.extractor), answers::UnparsedPolicy::ScoreWrong, 0};
  }
  lvb::PromptPlan plan(const datasets::Sample& s, const lvb::VideoProbe& probe) const override {
    const std::string who = "sample \"" + s.id + "\" (Video-MME " + protocol_.name + ", video '" + s.video_file.string() + "')";
    lvb::PromptPlan plan = datasets::plan_mc_frames(protocol_, probe, who);
    std::vector<std::string> lines;
    const bool available = !s.subtitle_missing && std::filesystem::exists(s.subtitle_file);
    if (protocol_.subtitles != "none" && available) {
      const std::vector<SrtCue> cues = load_srt(s.subtitle_file);
      lines = protocol_.subtitles == "sampled_frames"
                  ? cues_at_frame_times(cues, plan.frame_timestamps)
                  : lmms_subtitle_lines(cues, probe.frame_count, probe.fps, protocol_.subtitle_frame_num);
    }
    plan.subtitle_lines = int(lines.size());
    plan.question_text = question_text(protocol_, s, lines, available);
    return plan;
  }
  nlohmann::json row_fields(const datasets::Sample& s) const override {
    nlohmann::json j = {{"domain", s.categories.at("domain")[0]},
                        {"sub_category", s.categories.at("sub_category")[0]},
                        {"task_type", s.categories.at("task_type")[0]}};
    if (protocol_.subtitles != "none") j["subtitles_available"] = !s.subtitle_missing;
    return j;
  }
  std::vector<datasets::MetricDefinition> metrics() const override {
    return {{"accuracy", "accuracy", "", "correct / scored over every question (lmms-eval videomme_aggregate_results)"},
            {"accuracy per duration", "per_value", "duration_group", "short / medium / long"},
            {"accuracy per domain", "per_value", "domain", "6 domains"},
            {"accuracy per sub-category", "per_value", "sub_category", "30 sub-categories"},
            {"accuracy per task type", "per_value", "task_type", "12 task types"}};
  }

 private:
  std::vector<datasets::Sample> samples_;
  datasets::McProtocol protocol_;
  nlohmann::json card_;
};

}  // namespace

const std::vector<std::string>& protocol_names() {
  static const std::vector<std::string> kNames = {"official", "official_sub", "lmms", "lmms_sub"};
  return kNames;
}

datasets::McProtocol make_protocol(const std::string& name, const nlohmann::json& overrides) {
  return datasets::apply_mc_overrides(defaults(name), overrides, "Video-MME protocol \"" + name + "\"");
}

std::string question_text(const datasets::McProtocol& p, const datasets::Sample& s, const std::vector<std::string>& lines,
                          bool available) {
  std::string options;
  for (size_t i = 0; i < s.options.size(); ++i) options += (i ? "\n" : "") + datasets::letter_of(i) + ". " + s.options[i];
  std::string subs;
  if (p.subtitles != "none") {
    std::string body;
    for (size_t i = 0; i < lines.size(); ++i) body += (i ? "\n" : "") + lines[i];
    if (!available) body = "No subtitles available";  // lmms-eval: no .srt for this video
    // lmms-eval writes "listed below: \n" (a space before the newline); the official prompt has none.
    subs = std::string(p.subtitles == "lmms_frame_num" ? "This video's subtitles are listed below: \n"
                                                       : "This video's subtitles are listed below:\n") +
           body + "\n";
  }
  return subs + p.pre_prompt + "\n" + s.question + "\n" + options + "\n" + p.post_prompt;
}

nlohmann::json check_protocol(const nlohmann::json& protocol) {
  if (!protocol.is_object() || !protocol.contains("name") || !protocol["name"].is_string())
    throw std::invalid_argument("Video-MME protocol: expected a mapping with a string 'name' (one of " + valid_names() + ")");
  return make_protocol(protocol["name"].get<std::string>(), protocol).to_json();
}

std::unique_ptr<datasets::Benchmark> open(const datasets::DatasetSpec& spec) {
  if (!spec.split.empty() && spec.split != "test")
    throw std::invalid_argument("Video-MME: unknown split \"" + spec.split + "\"; valid: test");
  const nlohmann::json& proto = spec.protocol;
  const std::string name = proto.is_object() && proto.contains("name") ? proto["name"].get<std::string>() : "official";
  datasets::McProtocol p = make_protocol(name, proto);
  return std::make_unique<VideoMme>(load_annotations(spec.root), std::move(p), spec.card);
}

}  // namespace pevlm::videomme
