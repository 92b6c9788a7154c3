// MLVU dev loading, protocols and the Benchmark implementation (see mlvu.h).
#include "datasets/mlvu/mlvu.h"

#include <algorithm>
#include <stdexcept>

#include "datasets/dataset/json_files.h"
#include "datasets/dataset/mc_frames.h"
#include "datasets/longvideobench/json_fields.h"

namespace pevlm::mlvu {
namespace {

std::string valid_names() {
  std::string v;
  for (const auto& n : protocol_names()) v += (v.empty() ? "" : ", ") + n;
  return v;
}

datasets::McProtocol defaults(const std::string& name) {
  datasets::McProtocol p;
  p.benchmark = "mlvu";
  p.name = name;
  p.max_new_tokens = 16;  // lmms-eval mlvu_dev.yaml
  if (name == "official") {
    p.system_prompt = kSystemPrompt;
    p.pre_prompt = "";
    p.post_prompt = "\nOnly give the best option.";
    p.assistant_prefix = "Best Option: (";
    p.extractor = "mlvu_official";
  } else if (name == "lmms") {
    p.pre_prompt = "\n";  // option_prompt "" + "\n"
    p.post_prompt = "\nOnly give the best option.\n\nBest option: (";
    p.extractor = "lmms_mlvu";
  } else {
    throw std::invalid_argument("unknown MLVU protocol \"" + name + "\"; valid: " + valid_names());
  }
  return p;
}

std::string options_block(const datasets::Sample& s) {
  std::string out;
  for (size_t i = 0; i < s.options.size(); ++i) out += (i ? "\n" : "") + ("(" + datasets::letter_of(i) + ") ") + s.options[i];
  return out;
}

class Mlvu final : public datasets::Benchmark {
 public:
  Mlvu(std::vector<datasets::Sample> samples, datasets::McProtocol protocol, nlohmann::json card)
      : samples_(std::move(samples)), protocol_(std::move(protocol)), card_(std::move(card)) {}
  std::string name() const override { return "mlvu"; }
  std::string split() const override { return "dev"; }
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
    lvb::PromptPlan plan = datasets::plan_mc_frames(
        protocol_, probe, "sample \"" + s.id + "\" (MLVU " + protocol_.name + ", video '" + s.video_file.string() + "')");
    plan.question_text = question_text(protocol_, s);
    return plan;
  }
  nlohmann::json row_fields(const datasets::Sample& s) const override {
    return {{"task", s.categories.at("task")[0]}, {"duration_s", s.duration}};
  }
  std::vector<datasets::MetricDefinition> metrics() const override {
    return {{"M-Avg", "macro_mean", "task", "unweighted mean of the 7 per-task accuracies (MLVU dev)"},
            {"accuracy per task", "per_value", "task", "plotQA, needle, ego, count, order, anomaly_reco, topic_reasoning"},
            {"accuracy", "accuracy", "", "correct / scored over every question (not MLVU's headline number)"}};
  }

 private:
  std::vector<datasets::Sample> samples_;
  datasets::McProtocol protocol_;
  nlohmann::json card_;
};

}  // namespace

const std::vector<TaskFile>& task_files() {
  static const std::vector<TaskFile> kFiles = {{"1_plotQA", "plotQA"}, {"2_needle", "needle"}, {"3_ego", "ego"},
                                               {"4_count", "count"},   {"5_order", "order"},   {"6_anomaly_reco", "anomaly_reco"},
                                               {"7_topic_reasoning", "topic_reasoning"}};
  return kFiles;
}

std::vector<datasets::Sample> load_dev(const std::filesystem::path& root) {
  std::vector<datasets::Sample> out;
  for (const TaskFile& tf : task_files()) {
    const auto path = root / "json" / (tf.stem + ".json");
    const nlohmann::json doc = datasets::read_json_file(path, "MLVU dev task " + tf.task, "the release's json/ folder");
    if (!doc.is_array()) throw std::runtime_error(path.string() + ": expected a JSON array of questions, got " + lvb::describe_json(doc));
    for (size_t i = 0; i < doc.size(); ++i) {
      const nlohmann::json& e = doc[i];
      lvb::JsonContext ctx{path.string(), "entry " + std::to_string(i)};
      if (!e.is_object()) ctx.fail("(entry)", "expected a JSON object, got " + lvb::describe_json(e));
      datasets::Sample s;
      const std::string video = lvb::get_string(e, "video", ctx);
      s.duration = lvb::get_number(e, "duration", ctx);
      s.question = lvb::get_string(e, "question", ctx);
      s.options = lvb::get_string_list(e, "candidates", ctx);
      if (s.options.size() < 2 || s.options.size() > 26)
        ctx.fail("candidates", "expected 2 to 26 candidates, got " + std::to_string(s.options.size()));
      const std::string answer = lvb::get_string(e, "answer", ctx);
      const auto hit = std::find(s.options.begin(), s.options.end(), answer);
      if (hit == s.options.end()) ctx.fail("answer", "\"" + answer + "\" is not one of the candidates");
      s.answer = char('A' + (hit - s.options.begin()));
      const std::string type = lvb::get_string(e, "question_type", ctx);
      if (type != tf.task) ctx.fail("question_type", "expected \"" + tf.task + "\" (the task of " + tf.stem + ".json), got \"" + type + "\"");
      s.categories["task"] = {tf.task};
      s.id = tf.task + "_" + std::to_string(i);
      s.question_id = s.id;
      s.video_path = (std::filesystem::path("video") / tf.stem / video).string();
      s.video_id = tf.stem + "/" + video;
      s.video_file = root / s.video_path;
      s.native_index = out.size();
      datasets::check_sample_files(s);
      out.push_back(std::move(s));
    }
  }
  return out;
}

const std::vector<std::string>& protocol_names() {
  static const std::vector<std::string> kNames = {"official", "lmms"};
  return kNames;
}

datasets::McProtocol make_protocol(const std::string& name, const nlohmann::json& overrides) {
  return datasets::apply_mc_overrides(defaults(name), overrides, "MLVU protocol \"" + name + "\"");
}

std::string question_text(const datasets::McProtocol& p, const datasets::Sample& s) {
  if (p.name == "official") return p.pre_prompt + "Question: " + s.question + "\nOptions:\n" + options_block(s) + p.post_prompt;
  return p.pre_prompt + s.question + "\n" + options_block(s) + p.post_prompt;
}

nlohmann::json check_protocol(const nlohmann::json& protocol) {
  if (!protocol.is_object() || !protocol.contains("name") || !protocol["name"].is_string())
    throw std::invalid_argument("MLVU protocol: expected a mapping with a string 'name' (one of " + valid_names() + ")");
  return make_protocol(protocol["name"].get<std::string>(), protocol).to_json();
}

std::unique_ptr<datasets::Benchmark> open(const datasets::DatasetSpec& spec) {
  if (!spec.split.empty() && spec.split != "dev")
    throw std::invalid_argument("MLVU: unknown split \"" + spec.split + "\"; valid: dev (the test split has other tasks)");
  const nlohmann::json& proto = spec.protocol;
  const std::string name = proto.is_object() && proto.contains("name") ? proto["name"].get<std::string>() : "lmms";
  datasets::McProtocol p = make_protocol(name, proto);
  return std::make_unique<Mlvu>(load_dev(spec.root), std::move(p), spec.card);
}

}  // namespace pevlm::mlvu
