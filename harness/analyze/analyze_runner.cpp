#include "harness/analyze/analyze_runner.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "datasets/registry/registry.h"
#include "harness/analyze/analyze_output.h"
#include "harness/analyze/mass_recorder.h"
#include "harness/device_spec.h"
#include "harness/eval/sample_video.h"
#include "harness/eval/video_lm_loader.h"
#include "harness/eval/sample_inputs.h"
#include "models/llm/weights.h"
#include "models/video_lm/presets.h"

namespace pevlm {
namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

QuerySetMass query_set(const std::string& name, std::vector<SpanInfo> spans, const std::vector<LayerMass>& layers) {
  return QuerySetMass{name, std::move(spans), layers};
}

// system 20 + F frames of tokens_per_frame (M-RoPE grid h x w, the squarest factorisation) + question 60.
TokenLayout synthetic_layout(const SyntheticAnalysis& s) {
  SyntheticLayoutSpec spec;
  spec.leading_text = 20;
  spec.tokens_per_frame = s.tokens_per_frame;
  spec.frames = (s.tokens - 80) / s.tokens_per_frame;
  int64_t h = int64_t(std::sqrt(double(s.tokens_per_frame)));
  while (s.tokens_per_frame % h) --h;
  spec.grid_h = h;
  spec.grid_w = s.tokens_per_frame / h;
  spec.question = s.tokens - 20 - spec.frames * s.tokens_per_frame;  // the remainder joins the question
  return make_synthetic_layout(spec);
}

std::vector<AnalysisRecord> run_synthetic(const AnalyzeConfig& c, const AnalyzeOptions& o) {
  const SyntheticAnalysis& s = *c.synthetic;
  LlmSpec config = model_config_from_spec(s.model, "synthetic.model");
  if (s.layers < 1 || s.layers > config.text.num_layers)
    throw std::invalid_argument("synthetic.layers: expected 1.." + std::to_string(config.text.num_layers) + ", got " +
                                std::to_string(s.layers));
  llm::TextConfig text = config.text;
  text.num_layers = s.layers;
  text.vocab_size = 16;  // random logits; a small tied table saves the 7B's 2 x 2 GB (as llm_speed.cpp)
  text.tie_word_embeddings = true;
  const at::ScalarType dtype = s.dtype == "bf16" ? at::kBFloat16 : at::kFloat;
  const llm::Decoder llm(text, llm::random_weights(text, 0, dtype), llm::DecoderOptions{dtype});
  const TokenLayout layout = synthetic_layout(s);
  at::manual_seed(0);
  const at::Tensor x_LD = at::randn({layout.length, text.hidden_size}).to(dtype);
  auto executor = attention::make_executor(resolve_executor(c.executor, resolve_device("cpu")));
  std::fprintf(stderr, "[analyze] synthetic %s, %lld layers (%s), %lld tokens (%lld frames x %lld), %zu configurations\n",
               config.source.c_str(), (long long)s.layers, s.dtype.c_str(), (long long)layout.length,
               (long long)layout.num_frames(), (long long)s.tokens_per_frame, c.methods.size());
  Progress progress("analyze", int64_t(c.methods.size()));
  return analyze_prompt(llm, *executor, x_LD, layout, c, "synthetic-" + std::to_string(layout.length), o.baseline, &progress);
}

std::vector<AnalysisRecord> run_dataset(const AnalyzeConfig& c, const AnalyzeOptions& o, std::vector<std::string>& errors) {
  const EvalConfig& e = *c.eval;
  const std::unique_ptr<datasets::Benchmark> bench = datasets::open_benchmark(e.dataset);
  std::vector<datasets::Sample> samples = bench->samples();
  const int64_t limit = o.limit >= 0 ? o.limit : e.limit;
  if (limit > 0 && int64_t(samples.size()) > limit) samples.resize(size_t(limit));
  const std::unique_ptr<VideoLM> model = load_video_lm(e.model, e.dtype, c.executor, e.device, e.model_options);
  std::fprintf(stderr, "[analyze] %zu samples x %zu configurations, queries %s -> %s\n", samples.size(), c.methods.size(),
               c.queries.name().c_str(), o.out.c_str());
  Progress progress("analyze", int64_t(samples.size() * c.methods.size()));
  std::vector<AnalysisRecord> records;
  for (const datasets::Sample& s : samples) {
    try {
      const PreparedVideo video = prepare_video(s, *bench, *model);
      const EncodedVideo encoded = encode_video(*model, video.input, e.device.device);
      const SampleInputs in = sample_inputs(*model, video.input, encoded.vision, video.plan.system_prompt,
                                            video.plan.question_text, video.plan.assistant_prefix);
      for (AnalysisRecord& r : analyze_prompt(model->llm(), model->executor(), in.x_LD, in.prompt.layout, c, s.id, o.baseline, &progress)) {
        const nlohmann::json fields = bench->row_fields(s);
        r.extra["position"] = fields.value("position", nlohmann::json::array());  // LongVideoBench's referred positions
        r.extra["duration_s"] = s.duration;
        records.push_back(std::move(r));
      }
    } catch (const std::exception& ex) {
      errors.push_back(s.id + ": " + ex.what());
      std::fprintf(stderr, "[analyze] %s: error: %s\n", s.id.c_str(), ex.what());
    }
  }
  return records;
}

}  // namespace

std::vector<AnalysisRecord> analyze_prompt(const llm::Decoder& llm, attention::Executor& executor, const at::Tensor& x_LD,
                                           const TokenLayout& layout, const AnalyzeConfig& c, const std::string& sample_id,
                                           bool baseline, Progress* progress) {
  std::vector<AnalysisRecord> out;
  for (const MethodConfig& m : c.methods) {
    const auto t0 = Clock::now();
    const AttentionPlan plan = build_plan(m, layout);
    MassRecorder recorder(executor, layout, llm.text().num_layers, c.queries, c.layers);
    attention::Executor& run_with = baseline ? executor : static_cast<attention::Executor&>(recorder);
    llm::PrefillOptions po;
    po.logits = c.queries.generated ? llm::LogitRows::Last : llm::LogitRows::None;
    po.split_timing = false;
    llm::Session session = llm.prefill(x_LD, plan, run_with, po);
    AnalysisRecord r{sample_id, m, layout, {}, nlohmann::json::object()};
    if (c.queries.generated) {
      // The first generated token (greedy, as eval), fed back: its query is the one analysed.
      const int64_t token = session.logits_LV[session.logits_LV.size(0) - 1].argmax().item<int64_t>();
      llm.decode(session, {token});
      r.extra["generated_token"] = token;
    }
    if (!baseline && c.queries.question) r.sets.push_back(query_set("question", recorder.spans(), recorder.question()));
    if (!baseline && c.queries.generated) r.sets.push_back(query_set("generated", recorder.generated_spans(), recorder.generated()));
    r.extra["timings_ms"] = {{"total", ms_since(t0)}, {"span_mass", recorder.mass_ms()}};
    r.extra["num_layers"] = llm.text().num_layers;
    out.push_back(std::move(r));
    if (progress) progress->advance(1, sample_id + " " + m.label());
  }
  return out;
}

AnalyzeSummary run_analyze(const AnalyzeConfig& c, const AnalyzeOptions& o) {
  const auto t0 = Clock::now();
  const int threads = c.eval ? c.eval->threads : 0;
  if (threads > 0) at::set_num_threads(threads);
  std::filesystem::create_directories(o.out);
  std::vector<std::string> errors;
  const std::vector<AnalysisRecord> records = c.synthetic ? run_synthetic(c, o) : run_dataset(c, o, errors);
  AnalyzeSummary sum;
  sum.records = int64_t(records.size());
  sum.errors = int64_t(errors.size());
  for (const AnalysisRecord& r : records)
    for (const QuerySetMass& s : r.sets) sum.max_sum_error = std::max(sum.max_sum_error, s.max_sum_error());
  std::vector<std::string> ids;
  for (const AnalysisRecord& r : records)
    if (ids.empty() || ids.back() != r.sample_id) ids.push_back(r.sample_id);
  sum.samples = int64_t(ids.size());
  const MemoryFigures mem = memory_figures(c.eval ? c.eval->device : resolve_device("cpu"));
  sum.peak_host_mib = mem.peak_host_mib;
  sum.peak_device_mib = mem.peak_device_mib;
  sum.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  write_analysis_outputs(records, c, o, sum, errors);
  return sum;
}

}  // namespace pevlm
