// The loop of `pevlm analyze`: for each sample (dataset mode: video -> vision tower -> prompt, as
// `pevlm eval` does; synthetic mode: random embeddings on a TokenLayout of N tokens) and each method
// configuration, one prefill (plus one decode step for the generated query) through a MassRecorder,
// then the outputs (analyze_output.h).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

#include "attention/executor.h"
#include "harness/analyze/analysis_record.h"
#include "harness/analyze/analyze_config.h"
#include "harness/progress.h"
#include "models/llm/decoder.h"

namespace pevlm {

struct AnalyzeOptions {
  std::filesystem::path out;
  int64_t limit = -1;         // --limit N: first N samples (overrides dataset.limit)
  bool suggest_sink = false;  // --suggest-sink: sink.json / sink.md from the full-attention records
  bool baseline = false;      // --baseline: the same prefills without recording (memory/time reference)
};

struct AnalyzeSummary {
  int64_t samples = 0, records = 0, errors = 0;
  double seconds = 0;
  double peak_host_mib = 0;     // the process's peak resident set (getrusage), MiB
  double peak_device_mib = -1;  // CUDA allocator peak on a GPU run, -1 on the CPU
  double max_sum_error = 0;  // over every query, head, layer and record
};

AnalyzeSummary run_analyze(const AnalyzeConfig& config, const AnalyzeOptions& options);

// Every method configuration of `config` on one prompt (x_LD [L, hidden] embeddings, its layout).
// `progress` advances once per configuration.
std::vector<AnalysisRecord> analyze_prompt(const llm::Decoder& llm, attention::Executor& executor, const at::Tensor& x_LD,
                                           const TokenLayout& layout, const AnalyzeConfig& config, const std::string& sample_id,
                                           bool baseline, Progress* progress);

}  // namespace pevlm
