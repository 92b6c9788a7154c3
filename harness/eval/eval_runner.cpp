#include "harness/eval/eval_runner.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <map>
#include <optional>
#include <stdexcept>
#include <thread>
#include <tuple>

#include "datasets/longvideobench/annotations.h"
#include "datasets/longvideobench/answer.h"
#include "attention/device_timer.h"
#include "datasets/video/prefetcher.h"
#include "harness/config_io.h"
#include "harness/eval/embedding_cache.h"
#include "harness/eval/frames_cache.h"
#include "harness/eval/sample_video.h"
#include "harness/eval/video_lm_loader.h"
#include "harness/eval/results_store.h"
#include "harness/progress.h"
#include "harness/provenance.h"
#include "reduction/reduced_answer.h"

namespace pevlm {
namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

// Fields every row of a sample shares.
// The row label: method (+ decoder) (+ reduction when there is one, so rows without stay as they were).
std::string reduced_row_label(const MethodConfig& m, const DecoderConfig& d, const reduction::ReductionConfig& r) {
  return row_label(m, d) + (r.is_none() ? "" : "+" + r.label());
}

nlohmann::json base_row(const lvb::Sample& s, const MethodConfig& m, const DecoderConfig& d,
                        const reduction::ReductionConfig& r, const EvalConfig& c, const nlohmann::json& model,
                        const nlohmann::json& prov) {
  nlohmann::json row = {{"key", s.id + "|" + reduced_row_label(m, d, r)},
                        {"sample_id", s.id},
                        {"video_id", s.video_id},  // the report's cluster for confidence intervals
                        {"method", m.name},
                        {"label", reduced_row_label(m, d, r)},
                        {"params", m.params},
                        {"decoder", d.to_json()},
                        {"decoder_label", d.label()},
                        {"protocol", c.protocol.to_json()},
                        {"model", model},
                        {"duration_group", s.duration_group},
                        {"question_category", s.question_category},
                        {"level", s.level},
                        {"duration_s", s.duration},
                        {"position", s.position},  // LongVideoBench's referred positions (report: accuracy by position)
                        {"num_options", s.candidates.size()},
                        {"error", nullptr},
                        {"predicted", nullptr},
                        {"correct", nullptr},
                        {"fallback", nullptr},
                        {"answer_parsed", nullptr},
                        {"answer_fallback", nullptr},
                        {"device", c.device.description},
                        {"device_name", c.device.name},
                        {"versions", prov["versions"]},
                        {"commit", prov["commit"]},
                        {"machine", prov["machine"]}};
  if (!r.is_none()) {  // rows without a reduction stay as they were (resume, merge)
    row["method_label"] = m.label();
    row["reduction"] = {{"name", r.name}, {"params", r.params}, {"label", r.label()}};
  }
  const auto letter = s.correct_letter();
  row["correct_letter"] = letter && !c.protocol.open_ended ? nlohmann::json(std::string(1, *letter)) : nlohmann::json(nullptr);
  if (c.protocol.open_ended) row["open_ended"] = true;  // no answer, no score (report: not in accuracy)
  return row;
}

// Running accuracy per method label, for the progress line.
struct RunningAccuracy {
  std::map<std::string, std::pair<int, int>> hits;  // label -> (correct, scored)
  void add(const nlohmann::json& row) {
    if (!row["error"].is_null() || !row.contains("correct") || row["correct"].is_null()) return;
    auto& h = hits[row["label"].get<std::string>()];
    h.first += row["correct"].get<bool>() ? 1 : 0;
    h.second += 1;
  }
  std::string text() const {
    std::string s;
    for (const auto& [label, h] : hits) {
      char buf[160];
      std::snprintf(buf, sizeof(buf), "%s%s %.0f%%", s.empty() ? "" : ", ", label.c_str(), 100.0 * h.first / h.second);
      s += buf;
    }
    return s;
  }
};

// --decode-only: decode every pending sample into the frames cache (on a machine with FFmpeg) so that
// an eval elsewhere (a GPU node without FFmpeg, or with weak CPUs) reads frames instead of videos.
EvalSummary decode_only(const EvalConfig& c, const EvalOptions& o, const std::vector<lvb::Sample>& todo) {
  if (o.frames_cache.empty()) throw std::invalid_argument("--decode-only needs --frames-cache DIR (where the frames go)");
  const auto t0 = Clock::now();
  const FramesCache cache(o.frames_cache);
  EvalSummary sum;
  Progress progress("decode", int64_t(todo.size()));
  for (const lvb::Sample& s : todo) {
    std::string note;
    try {
      PreparedVideo v;
      decode_sample_frames(s, c.protocol, &cache, v);
      note = v.frames_from_cache ? " (already cached)" : "";
    } catch (const std::exception& e) {
      ++sum.errors;
      note = " [error] " + std::string(e.what());
      std::fprintf(stderr, "[decode] %s: %s\n", s.id.c_str(), e.what());
    }
    ++sum.samples;
    progress.advance(1, s.id + note);
  }
  sum.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return sum;
}

}  // namespace

std::pair<int, int> parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  try {
    if (slash != std::string::npos) {
      const int i = std::stoi(text.substr(0, slash)), n = std::stoi(text.substr(slash + 1));
      if (n >= 1 && i >= 0 && i < n) return {i, n};
    }
  } catch (...) {
  }
  throw std::invalid_argument("--shard expects i/n with 0 <= i < n (e.g. 0/4), got '" + text + "'");
}

EvalSummary run_eval(const EvalConfig& c, const EvalOptions& o) {
  const auto t_start = Clock::now();
  if (c.threads > 0) at::set_num_threads(c.threads);
  // Samples of this shard.
  const auto all = lvb::load_annotations(c.dataset_root, c.split == "val" ? lvb::kValFile : lvb::kTestFile);
  std::vector<lvb::Sample> samples;
  for (size_t i = 0; i < all.size(); ++i)
    if (int(i % size_t(o.shard_count)) == o.shard_index) samples.push_back(all[i]);
  const int64_t limit = o.limit >= 0 ? o.limit : c.limit;
  if (limit > 0 && int64_t(samples.size()) > limit) samples.resize(size_t(limit));
  if (o.decode_only) return decode_only(c, o, samples);  // touches no results folder

  std::filesystem::create_directories(o.out);
  write_text_file(o.out / "config.resolved.json", c.resolved.dump(2) + "\n");
  ResultsStore store(o.out, c.run_settings(), o.resume);
  const nlohmann::json prov = provenance();
  // Only samples with work left are decoded.
  std::vector<lvb::Sample> todo;
  EvalSummary sum;
  for (const auto& s : samples) {
    bool pending = false;
    for (const auto& r : c.reductions)
      for (const auto& m : c.methods)
        for (const auto& d : c.decoders) pending = pending || !store.done(s.id + "|" + reduced_row_label(m, d, r));
    if (pending) todo.push_back(s);
    else sum.rows_skipped += int64_t(c.reductions.size() * c.methods.size() * c.decoders.size());
  }
  std::fprintf(stderr,
               "[eval] %zu samples in shard %d/%d, %zu with work left, %zu method x %zu decoder x %zu reduction "
               "configurations -> %s\n",
               samples.size(), o.shard_index, o.shard_count, todo.size(), c.methods.size(), c.decoders.size(),
               c.reductions.size(), store.path().c_str());
  if (todo.empty()) return sum;
  // Every reduction x method pair, reductions outermost (a sample's rows of one reduction stay together).
  std::vector<std::pair<reduction::ReductionConfig, MethodConfig>> runs;
  for (const auto& r : c.reductions)
    for (const auto& m : c.methods) runs.emplace_back(r, m);

  const std::unique_ptr<VideoLM> loaded = load_video_lm(c.model, c.dtype, c.executor, c.device, c.model_options);
  const VideoLM& model = *loaded;
  const nlohmann::json model_json = model.describe();
  std::fprintf(stderr, "[eval] %s on %s, executor %s (kernel %s), loaded in %.1f s (%s)\n", model_json["name"].get<std::string>().c_str(),
               c.device.description.c_str(), model_json["executor"].get<std::string>().c_str(),
               model_json["kernel"].get<std::string>().c_str(), model.load_figures()["ms"].get<double>() / 1000.0,
               model.load_figures().dump().c_str());
  // Draft checkpoints of speculative decoders, loaded on first use; a family without draft-model
  // decoders has none (VideoLM::draft_models), and such rows are errors naming the family.
  const std::unique_ptr<DraftModels> drafts = model.draft_models(c.model);
  const EmbeddingCache cache(c.cache_dir.empty() ? o.out.parent_path() / "embedding_cache" : c.cache_dir);
  std::optional<FramesCache> frames_cache;
  if (!o.frames_cache.empty()) frames_cache.emplace(o.frames_cache);
  video::Prefetcher<lvb::Sample, PreparedVideo> prefetch(
      todo,
      [&](const lvb::Sample& s) { return prepare_video(s, c.protocol, model, frames_cache ? &*frames_cache : nullptr); },
      2);
  Progress progress("eval", int64_t(todo.size()));
  // Test hook (tests/eval_e2e_test.cpp): slow the loop so a kill lands mid-run.
  const char* delay_env = std::getenv("PEVLM_EVAL_ROW_DELAY_MS");
  const int row_delay_ms = delay_env ? std::atoi(delay_env) : 0;
  RunningAccuracy running;
  for (const lvb::Sample& s : todo) {
    std::string sample_error;
    PreparedVideo video;
    at::Tensor x_LD;
    VideoPrompt prompt;
    nlohmann::json sample_info;
    double vision_ms = 0, cache_read_ms = 0;
    bool cache_hit = false;
    try {
      video = prefetch.next();
      nlohmann::json key = {{"sample", s.id},       {"video", s.video_file.string()}, {"frames", video.plan.frame_indices},
                            {"protocol", c.protocol.to_json()}, {"model", model_json["path"]}, {"dtype", model.dtype_name()}};
      // Options that change the embeddings (LLaVA-Video pooling/newlines) are part of the key.
      if (model_json.contains("options")) key["model_options"] = model_json["options"];
      const auto t0 = Clock::now();
      std::optional<EmbeddingCache::Entry> cached = c.embedding_cache ? cache.get(key) : std::nullopt;
      cache_hit = cached.has_value();
      at::Tensor vision;
      if (cached) {
        vision = cached->embeddings;
        vision_ms = cached->vision_ms;  // latency figures keep the measured encode time
        cache_read_ms = ms_since(t0);
      } else {
        // Device time of the tower (CUDA events on a GPU: a host clock would time the launches).
        const auto timer = attention::DeviceTimer::make(c.device.device);
        const int v0 = timer->mark();
        vision = model.encode(video.input);
        vision_ms = timer->ms(v0, timer->mark());
        if (c.embedding_cache) cache.put(key, vision, vision_ms);
      }
      prompt = model.build_prompt(video.input, video.plan.system_prompt, video.plan.question_text);
      x_LD = model.embed_prompt(prompt, vision);
      const int64_t patches = video.input.patches();
      sample_info = {{"frames", video.frames}, {"frame_indices", video.plan.frame_indices}, {"vision_patches", patches},
                     {"codec", video.codec}, {"video_size", {video.width, video.height}},
                     {"rotation_deg", video.rotation_deg}, {"rotation_applied", video.rotation_applied},
                     {"embedding_cache_hit", cache_hit}, {"frames_from_cache", video.frames_from_cache},
                     {"embedding_cache_read_ms", cache_read_ms}};
    } catch (const std::exception& e) {
      sample_error = e.what();
    }
    // Greedy answers of this sample per method label: the greedy rows and the speculative rows'
    // comparison (lossless, speedup) share one run.
    std::map<std::string, std::tuple<MethodAnswer, nlohmann::json, nlohmann::json>> greedy;
    std::map<std::string, DraftInput> draft_inputs;  // per draft folder: its embeddings of this sample
    auto run_answer = [&](const MethodConfig& m, const DecoderConfig& d, const reduction::ReductionConfig& r) {
      reset_device_peak(c.device);
      const std::string draft_dir = draft_model_of(d);
      auto draft = draft_inputs.find(draft_dir);
      if (!draft_dir.empty() && draft == draft_inputs.end()) {
        if (!drafts)
          throw std::invalid_argument("decoder '" + d.name + "' drafts with a second model, which the " + model.family() +
                                      " family does not support");
        draft = draft_inputs.emplace(draft_dir, drafts->input(draft_dir, video.input, video.plan.system_prompt,
                                                               video.plan.question_text, prompt.ids)).first;
      }
      reduction::ReducedAnswer a = reduction::answer_reduced(model, x_LD, prompt.layout, m, r, c.protocol.max_new_tokens, d,
                                                             draft_dir.empty() ? nullptr : &draft->second);
      return std::make_tuple(std::move(a.answer), memory_figures(c.device).to_json(), std::move(a.record));
    };
    using Answered = std::tuple<MethodAnswer, nlohmann::json, nlohmann::json>;  // answer, memory, reduction record
    auto greedy_for = [&](const MethodConfig& m, const reduction::ReductionConfig& r) -> const Answered& {
      const std::string key = m.label() + "|" + r.label();
      auto it = greedy.find(key);
      if (it == greedy.end()) it = greedy.emplace(key, run_answer(m, DecoderConfig{}, r)).first;
      return it->second;
    };
    for (const auto& [r, m] : runs)
      for (const DecoderConfig& d : c.decoders) {
        nlohmann::json row = base_row(s, m, d, r, c, model_json, prov);
        row["model_load"] = model.load_figures();
        if (store.done(row["key"].get<std::string>())) {
          ++sum.rows_skipped;
          continue;
        }
        if (sample_info.is_object()) row.update(sample_info);
        try {
          if (!sample_error.empty()) throw std::runtime_error(sample_error);
          Answered own;
          if (!d.is_greedy()) own = run_answer(m, d, r);
          const auto& [a, memory, record] = d.is_greedy() ? greedy_for(m, r) : own;
          row["memory"] = memory;
          if (!r.is_none()) row["reduction"] = record;
          row["timing_clock"] = a.timings.clock;
          row["tokens"] = a.token_counts;
          row["generated_tokens"] = a.tokens.size();
          row["response"] = a.response;
          if (!c.protocol.open_ended) {
            // LongVideoBench's protocol keeps lmms-eval's random fallback, seeded and flagged per row.
            const lvb::ParsedAnswer parsed =
                lvb::parse_answer(a.response, int(s.candidates.size()), s.id, c.protocol.fallback_seed);
            row["predicted"] = std::string(1, parsed.letter);
            row["fallback"] = parsed.fallback_used;
            row["answer_extractor"] = "lmms_longvideobench";
            row["answer_parsed"] = !parsed.fallback_used;
            row["answer_fallback"] = parsed.fallback_used ? nlohmann::json("random") : nlohmann::json(nullptr);
            row["correct"] = row["correct_letter"].is_null() ? nlohmann::json(nullptr)
                                                             : nlohmann::json(row["correct_letter"] == row["predicted"]);
          }
          row["decode_tokens_per_s"] = tokens_per_second(int64_t(a.tokens.size()), a.timings.decode_ms);
          if (a.speculative) {
            const MethodAnswer& base = std::get<0>(greedy_for(m, r));
            SpeculativeFigures f = *a.speculative;
            f.greedy_decode_ms = base.timings.decode_ms;
            f.lossless = a.tokens == base.tokens;
            row["speculative"] = speculative_metrics(f);
            row["lossless"] = f.lossless;
            row["greedy_generated_tokens"] = base.tokens.size();
            row["selection"] = a.selection;
          }
          row["timings_ms"] = {{"decode_video", video.decode_video_ms}, {"preprocess", video.preprocess_ms},
                               {"vision", vision_ms},                  {"prefill_attention", a.timings.prefill_attention_ms},
                               {"prefill_other", a.timings.prefill_other_ms}, {"decode", a.timings.decode_ms}};
          if (a.speculative) row["timings_ms"]["std_selection"] = a.timings.prefill_observer_ms;
          if (!r.is_none()) row["timings_ms"]["reduction"] = record["ms"];
        } catch (const std::exception& e) {
          row["error"] = e.what();
          ++sum.errors;
        }
        row["utc_time"] = utc_now();
        store.append(row);
        if (row_delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(row_delay_ms));
        running.add(row);
        ++sum.rows_written;
      }
    ++sum.samples;
    progress.advance(1, s.id + (sample_error.empty() ? "" : " [error]") + "  " + running.text());
  }
  sum.seconds = std::chrono::duration<double>(Clock::now() - t_start).count();
  return sum;
}

}  // namespace pevlm
