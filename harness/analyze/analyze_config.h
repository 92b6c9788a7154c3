// `pevlm analyze` configuration (issue 13): an eval configuration (model, dataset, protocol, methods,
// device, executor, dtype; harness/eval/eval_config.h) plus an `analysis:` mapping, or, for memory and
// scale checks without a checkpoint, `synthetic:` (random weights of a preset's layer shape on a
// TokenLayout of N tokens, as `pevlm speed` builds them) instead of model + dataset.
//
//   analysis:
//     queries: question | generated | both   # the question block's rows, the first generated token
//     layers: all | [0, 3, 27]               # which decoder layers to analyse
//     per_head: false                        # also write masses per query head
//     sink_rule: {factor: 2.0, coverage: 0.8, block_frames: [4, 8, 16, 32]}   # --suggest-sink
//   synthetic: {tokens: 32768, model: qwen2.5-vl-7b, layers: 2, dtype: bf16, tokens_per_frame: 256}
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/eval/eval_config.h"
#include "methods/method_registry.h"

namespace pevlm {

// Which query rows are analysed.
struct QuerySelection {
  bool question = true;   // every row of the question block (TokenLayout Question spans)
  bool generated = false; // the first generated token (greedy), attending as Executor::decode does
  std::string name() const;  // "question" | "generated" | "both"
};

// The sink chooser's rule (sink_chooser.h): a frame stands out when its mass exceeds `factor` x the
// median frame's; `coverage`: the fraction of the excess mass the alternative rule must cover.
struct SinkRule {
  double factor = 2.0;
  double coverage = 0.8;
  std::vector<int64_t> block_frames = {4, 8, 16, 32};  // PEVLM block sizes the FLOP ratios are given for
};

struct SyntheticAnalysis {
  int64_t tokens = 32768;          // total prompt length (system 20 + frames + question 60)
  std::string model = "qwen2.5-vl-7b";  // preset or config.json (harness/speed/llm_speed.h)
  int64_t layers = 2;              // decoder layers with random weights
  std::string dtype = "bf16";      // fp32 | bf16
  int64_t tokens_per_frame = 256;  // 16 x 16 merged patches (448 x 448 frames)
};

struct AnalyzeConfig {
  std::optional<EvalConfig> eval;             // model + dataset mode
  std::optional<SyntheticAnalysis> synthetic; // random-weight mode (exactly one of the two)
  std::vector<MethodConfig> methods;          // full attention first (added when absent: the reference)
  std::string executor = "auto";
  QuerySelection queries;
  std::vector<int64_t> layers;  // empty = all
  bool per_head = false;
  SinkRule sink_rule;
  nlohmann::json resolved;  // the whole configuration after defaults
};

// Throws std::invalid_argument naming `source` and the key for unknown keys / bad values.
AnalyzeConfig parse_analyze_config(const nlohmann::json& doc, const std::string& source, const std::filesystem::path& base_dir);
// "question" | "generated" | "both"; throws naming `where` and the valid values otherwise.
QuerySelection parse_query_selection(const std::string& text, const std::string& where);
// "all" | "0,3,27" (CLI) or a YAML list; throws naming `where`.
std::vector<int64_t> parse_layer_list(const nlohmann::json& value, const std::string& where);

}  // namespace pevlm
