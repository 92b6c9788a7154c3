// The dataset interface (library pevlm_dataset, torch-free; issue 24 item 1): one loaded benchmark
// under one protocol. The harness (eval loop, frames/embedding caches, shards, resume, reports) uses
// only this, as it uses VideoLM for models; each benchmark implements it in its own folder
// (datasets/longvideobench, videomme, mlvu, lvbench) and registers in datasets/registry/registry.h.
//
// The frames + prompt of one sample are an lvb::PromptPlan (datasets/longvideobench/prompt_plan.h): a
// plain-data plan every model family already consumes (VideoLM::prepare), not LongVideoBench-specific.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "datasets/answers/scored_answer.h"
#include "datasets/dataset/sample.h"
#include "datasets/longvideobench/prompt_plan.h"

namespace pevlm::datasets {

// How a report turns a benchmark's rows into its headline numbers.
struct MetricDefinition {
  std::string name;  // "accuracy", "M-Avg", ...
  // "accuracy": correct / scored over every row; "macro_mean": the unweighted mean over the values of
  // `axis` of each value's accuracy (MLVU's M-Avg); "per_value": accuracy per value of `axis` (a
  // multi-label row counts once in each of its values).
  std::string kind;
  std::string axis;  // a categories axis, or "duration_group"; empty for "accuracy"
  std::string description;
  nlohmann::json to_json() const;
};

// What a user names in a config's `dataset:` mapping and `protocol:`.
struct DatasetSpec {
  std::string benchmark = "longvideobench";
  std::filesystem::path root;
  std::string split;  // "" = the benchmark's default split
  // The protocol: {"name": ..., keys...} (a card's `protocol:` mapping or a config's overrides).
  nlohmann::json protocol = nlohmann::json::object();
  // Set when the protocol came from a card (configs/protocols/<card>.yaml): {"card", "version", "family"}.
  nlohmann::json card = nlohmann::json();
};

class Benchmark {
 public:
  virtual ~Benchmark() = default;
  virtual std::string name() const = 0;
  virtual std::string split() const = 0;
  // Every question of the split, in file order (shards take index % n).
  virtual const std::vector<Sample>& samples() const = 0;
  // The protocol in full (every parameter that changes what the model sees or how it is scored), plus
  // the card's name and version when it came from one: recorded in every row and in cache keys.
  virtual nlohmann::json protocol_json() const = 0;
  virtual bool open_ended() const { return false; }  // no options, no score (LongVideoBench "caption")
  virtual int max_new_tokens() const = 0;
  virtual bool apply_rotation() const = 0;
  // Text the model's answer continues from (MLVU official "Best Option: ("); "" for most protocols.
  virtual std::string assistant_prefix() const { return ""; }
  // What keeps `sample` from running under this protocol (missing video; missing subtitles when the
  // protocol uses them), or "" when it can run. A non-empty answer is the row's error; the run goes on.
  virtual std::string sample_problem(const Sample& sample) const;
  // Frames to decode and the prompt, from the probed container. May read the subtitle file. Throws
  // naming the sample and file on any problem.
  virtual lvb::PromptPlan plan(const Sample& sample, const lvb::VideoProbe& probe) const = 0;
  // The protocol's answer rule on the model's output (the shared extractor, datasets/answers).
  virtual answers::ScoredAnswer score(const Sample& sample, const std::string& response) const;
  virtual answers::AnswerRule answer_rule() const = 0;
  // Benchmark-specific row fields beside the common ones (LongVideoBench: question_category, level,
  // position, ...). The common ones (benchmark, question_id, categories, duration_group) are added by
  // the harness from the Sample.
  virtual nlohmann::json row_fields(const Sample& sample) const { return nlohmann::json::object(); }
  virtual std::vector<MetricDefinition> metrics() const = 0;
};

// "A".."Z" for option i; throws std::invalid_argument otherwise.
std::string letter_of(size_t option_index);

// Records a missing video (and, when `subtitle_file` is set, a missing subtitle file) on the sample.
void check_sample_files(Sample& sample);

// The problem text for a sample: missing video always, missing subtitles when `needs_subtitles`.
std::string missing_files_problem(const Sample& sample, bool needs_subtitles);

}  // namespace pevlm::datasets
