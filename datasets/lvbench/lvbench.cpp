// LVBench loading, protocols and the Benchmark implementation (see lvbench.h).
#include "datasets/lvbench/lvbench.h"

#include <set>
#include <stdexcept>

#include "datasets/dataset/json_files.h"
#include "datasets/dataset/mc_frames.h"
#include "datasets/longvideobench/json_fields.h"

namespace pevlm::lvbench {
namespace {

std::string valid_names() {
  std::string v;
  for (const auto& n : protocol_names()) v += (v.empty() ? "" : ", ") + n;
  return v;
}

datasets::McProtocol defaults(const std::string& name) {
  datasets::McProtocol p;
  p.benchmark = "lvbench";
  p.name = name;
  p.max_new_tokens = 16;
  if (name == "official") {
    p.extractor = "lvbench_official";
  } else if (name == "lmms") {
    p.post_prompt = "\nAnswer the question with the option letter.";
    p.extractor = "lmms_mcq";
  } else {
    throw std::invalid_argument("unknown LVBench protocol \"" + name + "\"; valid: " + valid_names());
  }
  return p;
}

struct Loaded {
  std::vector<datasets::Sample> samples;
  std::vector<std::string> raw_questions;  // by native_index
};

Loaded load(const std::filesystem::path& root) {
  const auto path = root / kAnnotationFile;
  const auto lines = datasets::read_json_lines(path, "LVBench annotations", "from THUDM/LVBench on Hugging Face");
  Loaded out;
  std::set<std::string> uids;
  for (const auto& l : lines) {
    const std::string where = path.string() + ":" + std::to_string(l.line);
    lvb::JsonContext ctx{where, "video"};
    if (!l.value.is_object()) ctx.fail("(line)", "expected a JSON object, got " + lvb::describe_json(l.value));
    const std::string key = lvb::get_string(l.value, "key", ctx);
    ctx.entry = "video \"" + key + "\"";
    const nlohmann::json& qa = lvb::require_field(l.value, "qa", ctx);
    if (!qa.is_array()) ctx.fail("qa", "expected a list of questions, got " + lvb::describe_json(qa));
    for (size_t k = 0; k < qa.size(); ++k) {
      lvb::JsonContext qctx{where, "video \"" + key + "\" qa " + std::to_string(k)};
      const nlohmann::json& q = qa[k];
      if (!q.is_object()) qctx.fail("(qa entry)", "expected a JSON object, got " + lvb::describe_json(q));
      datasets::Sample s;
      const nlohmann::json& uid = lvb::require_field(q, "uid", qctx);
      if (!uid.is_string() && !lvb::is_json_integer(uid)) qctx.fail("uid", "expected a string or integer, got " + lvb::describe_json(uid));
      s.question_id = uid.is_string() ? uid.get<std::string>() : std::to_string(uid.get<int64_t>());  // compute_accuracy: str(uid)
      s.id = s.question_id;
      if (!uids.insert(s.id).second) qctx.fail("uid", "duplicate uid " + s.id);
      const std::string raw = lvb::get_string(q, "question", qctx);
      try {
        split_question(raw, s.question, s.options);
      } catch (const std::invalid_argument& e) {
        qctx.fail("question", e.what());
      }
      const std::string answer = lvb::get_string(q, "answer", qctx);
      if (answer.size() != 1 || answer[0] < 'A' || answer[0] >= char('A' + s.options.size()))
        qctx.fail("answer", "expected one of the question's option letters, got \"" + answer + "\"");
      s.answer = answer[0];
      const std::vector<std::string> types = lvb::get_string_list(q, "question_type", qctx);
      if (types.empty()) qctx.fail("question_type", "expected at least one category");
      for (const std::string& t : types) {
        std::string abbrev, valid;
        for (const auto& [full, ab] : categories()) {
          if (t == full) abbrev = ab;
          valid += (valid.empty() ? "" : ", ") + full;
        }
        if (abbrev.empty()) qctx.fail("question_type", "unknown category \"" + t + "\"; valid: " + valid);
        s.categories["category"].push_back(abbrev);
      }
      lvb::require_field(q, "time_reference", qctx);  // recorded by the release; not used in scoring
      s.video_id = key;
      s.video_path = "videos/" + key + ".mp4";
      s.video_file = root / s.video_path;
      s.native_index = out.samples.size();
      datasets::check_sample_files(s);
      out.samples.push_back(std::move(s));
      out.raw_questions.push_back(raw);
    }
  }
  if (out.samples.empty()) throw std::runtime_error(path.string() + ": no questions");
  return out;
}

class LvBench final : public datasets::Benchmark {
 public:
  LvBench(Loaded loaded, datasets::McProtocol protocol, nlohmann::json card)
      : loaded_(std::move(loaded)), protocol_(std::move(protocol)), card_(std::move(card)) {}
  std::string name() const override { return "lvbench"; }
  std::string split() const override { return "all"; }
  const std::vector<datasets::Sample>& samples() const override { return loaded_.samples; }
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
        protocol_, probe, "sample \"" + s.id + "\" (LVBench " + protocol_.name + ", video '" + s.video_file.string() + "')");
    plan.question_text = question_text(protocol_, loaded_.raw_questions.at(s.native_index));
    return plan;
  }
  nlohmann::json row_fields(const datasets::Sample& s) const override { return {{"category", s.categories.at("category")}}; }
  std::vector<datasets::MetricDefinition> metrics() const override {
    return {{"accuracy", "accuracy", "", "correct / scored over every question (compute_accuracy.py 'acc')"},
            {"accuracy per category", "per_value", "category",
             "KIR, EU, Sum, ER, Rea, TG; a question counts in each of its categories"}};
  }

 private:
  Loaded loaded_;
  datasets::McProtocol protocol_;
  nlohmann::json card_;
};

}  // namespace

const std::vector<std::pair<std::string, std::string>>& categories() {
  static const std::vector<std::pair<std::string, std::string>> kCategories = {
      {"key information retrieval", "KIR"}, {"event understanding", "EU"}, {"summarization", "Sum"},
      {"entity recognition", "ER"},         {"reasoning", "Rea"},          {"temporal grounding", "TG"}};
  return kCategories;
}

void split_question(const std::string& question, std::string& stem, std::vector<std::string>& options) {
  options.clear();
  const size_t first = question.find("\n(A) ");
  if (first == std::string::npos) throw std::invalid_argument("no option line \"(A) ...\" after the question");
  stem = question.substr(0, first);
  size_t pos = first + 1;
  while (pos < question.size()) {
    const std::string prefix = "(" + std::string(1, char('A' + options.size())) + ") ";
    if (question.compare(pos, prefix.size(), prefix) != 0)
      throw std::invalid_argument("expected option line \"" + prefix + "...\" at \"" + question.substr(pos, 20) + "\"");
    size_t end = question.find('\n', pos);
    if (end == std::string::npos) end = question.size();
    options.push_back(question.substr(pos + prefix.size(), end - pos - prefix.size()));
    pos = end + 1;
  }
  if (options.size() < 2) throw std::invalid_argument("expected at least 2 options, got " + std::to_string(options.size()));
}

std::vector<datasets::Sample> load_annotations(const std::filesystem::path& root) { return load(root).samples; }

const std::vector<std::string>& protocol_names() {
  static const std::vector<std::string> kNames = {"official", "lmms"};
  return kNames;
}

datasets::McProtocol make_protocol(const std::string& name, const nlohmann::json& overrides) {
  return datasets::apply_mc_overrides(defaults(name), overrides, "LVBench protocol \"" + name + "\"");
}

std::string question_text(const datasets::McProtocol& p, const std::string& raw_question) {
  return p.pre_prompt + raw_question + p.post_prompt;
}

nlohmann::json check_protocol(const nlohmann::json& protocol) {
  if (!protocol.is_object() || !protocol.contains("name") || !protocol["name"].is_string())
    throw std::invalid_argument("LVBench protocol: expected a mapping with a string 'name' (one of " + valid_names() + ")");
  return make_protocol(protocol["name"].get<std::string>(), protocol).to_json();
}

std::unique_ptr<datasets::Benchmark> open(const datasets::DatasetSpec& spec) {
  if (!spec.split.empty() && spec.split != "all")
    throw std::invalid_argument("LVBench: unknown split \"" + spec.split + "\"; valid: all");
  const nlohmann::json& proto = spec.protocol;
  const std::string name = proto.is_object() && proto.contains("name") ? proto["name"].get<std::string>() : "lmms";
  datasets::McProtocol p = make_protocol(name, proto);
  return std::make_unique<LvBench>(load(spec.root), std::move(p), spec.card);
}

}  // namespace pevlm::lvbench
