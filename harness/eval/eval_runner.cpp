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

#include "datasets/registry/registry.h"
#include "attention/device_timer.h"
#include "datasets/video/prefetcher.h"
#include "harness/config_io.h"
#include "harness/eval/embedding_cache.h"
#include "harness/eval/frames_cache.h"
#include "harness/eval/prefix_reuse.h"
#include "harness/eval/sample_inputs.h"
#include "harness/eval/sample_video.h"
#include "harness/eval/video_lm_loader.h"
#include "harness/eval/results_store.h"
#include "harness/progress.h"
#include "harness/provenance.h"
#include "reduction/reduced_answer.h"
#include "reduction/reduced_layout.h"

namespace pevlm {
namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

// The row label: method (+ decoder) (+ reduction when there is one, so rows without stay as they were).
std::string reduced_row_label(const MethodConfig& m, const DecoderConfig& d, const reduction::ReductionConfig& r) {
  return row_label(m, d) + (r.is_none() ? "" : "+" + r.label());
}

// Why prefix reuse (harness/eval/prefix_reuse.h) cannot answer the rows of reduction `r` ("" when it can).
// FastV keeps the tokens the last prompt token (the question's) attends to most at layer k, so the KV of
// every layer from k on depends on the question; a pre-LLM reduction depends on the visual tokens only and
// could share a prefix whose reduced plan is identical, but the prefix cache is not keyed by the reduction
// yet, so every reduced row runs its own whole prefill and says so.
std::string reduction_reuse_off_reason(const reduction::ReductionConfig& r) {
  if (r.is_none()) return "";
  if (r.stage() == reduction::Stage::InLlm)
    return "off: reduction '" + r.label() + "' selects tokens inside the LLM by the question's attention, so the prefix KV "
           "depends on the question";
  return "off: reduction '" + r.label() + "' (before the LLM): prefix reuse under a reduced layout is not implemented";
}

// Fields every row of a sample shares. The benchmark adds its own (row_fields; LongVideoBench keeps
// duration_group as a number, question_category, level, position, duration_s as before the interface).
nlohmann::json base_row(const datasets::Sample& s, const datasets::Benchmark& b, const MethodConfig& m, const DecoderConfig& d,
                        const reduction::ReductionConfig& r, const EvalConfig& c, const nlohmann::json& protocol,
                        const nlohmann::json& model, const nlohmann::json& prov) {
  nlohmann::json categories = nlohmann::json::object();
  for (const auto& [axis, values] : s.categories) categories[axis] = values;
  nlohmann::json row = {{"key", s.id + "|" + reduced_row_label(m, d, r)},
                        {"sample_id", s.id},
                        {"benchmark", b.name()},
                        {"question_id", s.question_id},
                        {"video_id", s.video_id},  // the report's cluster for confidence intervals
                        {"method", m.name},
                        {"label", reduced_row_label(m, d, r)},
                        {"params", m.params},
                        {"decoder", d.to_json()},
                        {"decoder_label", d.label()},
                        {"protocol", protocol},
                        {"model", model},
                        {"duration_group", s.duration_group.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.duration_group)},
                        {"categories", categories},
                        {"num_options", s.options.size()},
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
  row.update(b.row_fields(s));
  nlohmann::json metrics = nlohmann::json::array();  // how pevlm report scores this benchmark (benchmark_metrics.h)
  for (const auto& md : b.metrics()) metrics.push_back(md.to_json());
  row["metrics"] = metrics;
  row["correct_letter"] = s.answer && !b.open_ended() ? nlohmann::json(std::string(1, *s.answer)) : nlohmann::json(nullptr);
  if (b.open_ended()) row["open_ended"] = true;  // no answer, no score (report: not in accuracy)
  return row;
}

// One question of the current video group: its prepared video, prompt and embeddings (or the error
// that stopped them), and the draft models' inputs made for it.
struct SampleState {
  const datasets::Sample* sample = nullptr;
  std::string error;
  PreparedVideo video;
  VideoPrompt prompt;
  at::Tensor x_LD;
  FastvidSignals fastvid;  // the vision tower's, when a FastVID reduction runs (reduction/fastvid_stage.h)
  nlohmann::json info;  // sample fields of its rows (frames used, caches)
  double vision_ms = 0;
  std::map<std::string, DraftInput> draft_inputs;  // per draft folder
};

// A group holds every question's embeddings at once (on the device): at most this many questions, so a
// benchmark with many questions per long video (LVBench: ~15) stays within memory; a video with more is
// split into consecutive groups, each prefilling its prefix once per method.
constexpr size_t kMaxQuestionsPerGroup = 8;

// Reorders `todo` so that the questions of one video are consecutive (videos in the order of their first
// question, questions in file order, at most kMaxQuestionsPerGroup per group) when `by_video`, and returns
// the groups as index lists; otherwise one group per sample in order. Rows are keyed by (sample,
// configuration), so the order changes nothing else.
std::vector<std::vector<size_t>> group_samples(std::vector<datasets::Sample>& todo, bool by_video, const std::string& protocol) {
  std::vector<std::vector<size_t>> groups;
  if (!by_video) {
    for (size_t i = 0; i < todo.size(); ++i) groups.push_back({i});
    return groups;
  }
  std::map<std::string, size_t> group_of;
  std::vector<std::vector<datasets::Sample>> members;
  for (datasets::Sample& s : todo) {
    const auto [it, added] = group_of.emplace(prefix_group(s.video_id, s.video_file.string(), protocol), members.size());
    if (!added && members[it->second].size() == kMaxQuestionsPerGroup) it->second = members.size();  // full: a new group
    if (it->second == members.size()) members.emplace_back();
    members[it->second].push_back(std::move(s));
  }
  todo.clear();
  for (auto& m : members) {
    groups.emplace_back();
    for (datasets::Sample& s : m) {
      groups.back().push_back(todo.size());
      todo.push_back(std::move(s));
    }
  }
  return groups;
}

// The answer fields of a row: memory, tokens, response, the extracted letter and its score, decode rate.
void fill_answer_fields(nlohmann::json& row, const MethodAnswer& a, const nlohmann::json& memory, const datasets::Sample& s,
                        const datasets::Benchmark& bench) {
  row["memory"] = memory;
  row["timing_clock"] = a.timings.clock;
  row["tokens"] = a.token_counts;
  row["generated_tokens"] = a.tokens.size();
  row["response"] = a.response;
  if (!bench.open_ended()) {
    // The protocol's extractor (datasets/answers); an unparsed answer is LongVideoBench's seeded random
    // letter (flagged) or, elsewhere, no letter and wrong. Either way it is counted.
    const answers::AnswerRule rule = bench.answer_rule();
    const answers::ScoredAnswer scored = bench.score(s, a.response);
    row["predicted"] = scored.predicted ? nlohmann::json(std::string(1, *scored.predicted)) : nlohmann::json(nullptr);
    row["fallback"] = scored.fallback == "random";
    row["answer_extractor"] = answers::extractor_info(rule.extractor).name;
    row["unparsed_policy"] = answers::unparsed_policy_name(rule.unparsed);
    row["answer_parsed"] = scored.parsed;
    row["answer_fallback"] = scored.fallback.empty() ? nlohmann::json(nullptr) : nlohmann::json(scored.fallback);
    row["correct"] = scored.correct ? nlohmann::json(*scored.correct) : nlohmann::json(nullptr);
  }
  row["decode_tokens_per_s"] = tokens_per_second(int64_t(a.tokens.size()), a.timings.decode_ms);
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
EvalSummary decode_only(const datasets::Benchmark& bench, const EvalOptions& o, const std::vector<datasets::Sample>& todo) {
  if (o.frames_cache.empty()) throw std::invalid_argument("--decode-only needs --frames-cache DIR (where the frames go)");
  const auto t0 = Clock::now();
  const FramesCache cache(o.frames_cache);
  EvalSummary sum;
  Progress progress("decode", int64_t(todo.size()));
  for (const datasets::Sample& s : todo) {
    std::string note;
    try {
      PreparedVideo v;
      decode_sample_frames(s, bench, &cache, v);
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
  const std::unique_ptr<datasets::Benchmark> benchmark = datasets::open_benchmark(c.dataset);
  const datasets::Benchmark& bench = *benchmark;
  const nlohmann::json protocol = bench.protocol_json();
  const std::string protocol_name = protocol.value("name", std::string());
  const auto& all = bench.samples();
  std::vector<datasets::Sample> samples;
  std::map<std::string, size_t> video_index;  // --shard-by video: videos numbered by first question
  for (size_t i = 0; i < all.size(); ++i) {
    size_t unit = i;
    if (o.shard_by_video)
      unit = video_index.emplace(prefix_group(all[i].video_id, all[i].video_file.string(), ""), video_index.size()).first->second;
    if (int(unit % size_t(o.shard_count)) == o.shard_index) samples.push_back(all[i]);
  }
  const int64_t limit = o.limit >= 0 ? o.limit : c.limit;
  if (limit > 0 && int64_t(samples.size()) > limit) samples.resize(size_t(limit));
  if (o.decode_only) return decode_only(bench, o, samples);  // touches no results folder

  std::filesystem::create_directories(o.out);
  write_text_file(o.out / "config.resolved.json", c.resolved.dump(2) + "\n");
  nlohmann::json settings = c.run_settings();
  if (o.shard_by_video && o.shard_count > 1) settings["shard_by"] = "video";  // older runs (by sample) lack the key
  ResultsStore store(o.out, settings, o.resume);
  const nlohmann::json prov = provenance();
  // Only samples with work left are decoded.
  std::vector<datasets::Sample> todo;
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
               "[eval] %s (%s): %zu samples in shard %d/%d, %zu with work left, %zu method x %zu decoder x %zu reduction "
               "configurations -> %s\n",
               bench.name().c_str(), protocol.value("name", std::string("?")).c_str(), samples.size(), o.shard_index,
               o.shard_count, todo.size(), c.methods.size(), c.decoders.size(), c.reductions.size(), store.path().c_str());
  if (todo.empty()) return sum;
  // Every reduction x method pair, reductions outermost (a sample's rows of one reduction stay together).
  std::vector<std::pair<reduction::ReductionConfig, MethodConfig>> runs;
  for (const auto& r : c.reductions)
    for (const auto& m : c.methods) runs.emplace_back(r, m);
  const std::vector<std::vector<size_t>> groups = group_samples(todo, c.prefix_reuse, protocol_name);

  const std::unique_ptr<VideoLM> loaded = load_video_lm(c.model, c.dtype, c.executor, c.device, c.model_options);
  const VideoLM& model = *loaded;
  const nlohmann::json model_json = model.describe();
  // A protocol card is written for one model family (its frames, pixels and prompt follow that family's
  // lmms-eval adapter): another family is refused rather than silently run under a foreign protocol.
  if (c.dataset.card.is_object() && c.dataset.card.value("family", std::string()) != model.family())
    throw std::invalid_argument("protocol card \"" + c.dataset.card.value("card", std::string()) + "\" is for the " +
                                c.dataset.card.value("family", std::string()) + " family; the model is " + model.family());
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
  video::Prefetcher<datasets::Sample, PreparedVideo> prefetch(
      todo,
      [&](const datasets::Sample& s) { return prepare_video(s, bench, model, frames_cache ? &*frames_cache : nullptr); },
      2);
  Progress progress("eval", int64_t(todo.size()));
  // Test hook (tests/eval_e2e_test.cpp): slow the loop so a kill lands mid-run.
  const char* delay_env = std::getenv("PEVLM_EVAL_ROW_DELAY_MS");
  const int row_delay_ms = delay_env ? std::atoi(delay_env) : 0;
  RunningAccuracy running;
  // Prefix reuse answers greedy rows; speculative decoders compare against greedy over a whole prefill
  // (their "lossless" flag), so a run with one keeps whole prefills and its rows say so.
  std::string reuse_off_reason = c.prefix_reuse ? "" : "disabled (prefix_reuse: false / --no-prefix-reuse)";
  for (const DecoderConfig& d : c.decoders)
    if (!d.is_greedy() && reuse_off_reason.empty())
      reuse_off_reason = "off: decoder '" + d.name + "' compares against greedy decoding over a whole prefill";
  PrefixReuse reuse(model);
  // FastVID reads signals from inside the vision tower: such runs encode every video themselves (the embedding
  // cache holds embeddings only).
  // A model without them answers the other rows; its FastVID rows are errors saying why
  // (VideoLM::fastvid_signals_missing, reduction/reduced_answer.cpp).
  bool needs_fastvid_signals = false;
  for (const auto& [r, m] : runs) needs_fastvid_signals = needs_fastvid_signals || r.name == "fastvid";
  needs_fastvid_signals = needs_fastvid_signals && model.provides_fastvid_signals();
  for (const std::vector<size_t>& group : groups) {
    // Every question of the video first (vision, prompt, embeddings), then method by method, so that
    // one prefix KV cache is alive at a time.
    std::vector<SampleState> states;
    for (size_t i : group) {
      SampleState st;
      st.sample = &todo[i];
      const datasets::Sample& s = todo[i];
      try {
        st.video = prefetch.next();
        nlohmann::json key = {{"sample", s.id},       {"video", s.video_file.string()}, {"frames", st.video.plan.frame_indices},
                              {"protocol", protocol}, {"model", model_json["path"]}, {"dtype", model.dtype_name()}};
        // Options that change the embeddings (LLaVA-Video pooling/newlines) are part of the key.
        if (model_json.contains("options")) key["model_options"] = model_json["options"];
        const auto t0 = Clock::now();
        std::optional<EmbeddingCache::Entry> cached =
            c.embedding_cache && !needs_fastvid_signals ? cache.get(key) : std::nullopt;
        const bool cache_hit = cached.has_value();
        double cache_read_ms = 0;
        at::Tensor vision;
        if (cached) {
          vision = cached->embeddings;
          st.vision_ms = cached->vision_ms;  // latency figures keep the measured encode time
          cache_read_ms = ms_since(t0);
        } else {
          EncodedVideo encoded = encode_video(model, st.video.input, c.device.device, needs_fastvid_signals);
          vision = encoded.vision;
          st.fastvid = encoded.fastvid;
          st.vision_ms = encoded.vision_ms;
          if (c.embedding_cache) cache.put(key, vision, st.vision_ms);
        }
        SampleInputs inputs = sample_inputs(model, st.video.input, vision, st.video.plan.system_prompt,
                                            st.video.plan.question_text, st.video.plan.assistant_prefix);
        st.prompt = std::move(inputs.prompt);
        st.x_LD = inputs.x_LD;
        const int64_t patches = st.video.input.patches();
        st.info = {{"frames", st.video.frames}, {"frame_indices", st.video.plan.frame_indices},
                   {"frame_timestamps", st.video.plan.frame_timestamps}, {"subtitle_lines", st.video.plan.subtitle_lines},
                   {"vision_patches", patches},
                   {"codec", st.video.codec}, {"video_size", {st.video.width, st.video.height}},
                   {"rotation_deg", st.video.rotation_deg}, {"rotation_applied", st.video.rotation_applied},
                   {"embedding_cache_hit", cache_hit}, {"frames_from_cache", st.video.frames_from_cache},
                   {"embedding_cache_read_ms", cache_read_ms}};
      } catch (const std::exception& e) {
        st.error = e.what();
      }
      states.push_back(std::move(st));
    }
    // The ids every question of the video shares (beyond the question's start when the protocol puts
    // question-independent text there, e.g. Video-MME's subtitles): the prefix prefilled once.
    std::vector<const std::vector<int64_t>*> group_ids;
    for (const SampleState& st : states)
      if (st.error.empty()) group_ids.push_back(&st.prompt.ids);
    const int64_t shared_tokens = group_ids.size() > 1 ? shared_prefix_length(group_ids) : 0;
    for (const auto& [r, m] : runs) {
      const std::string run_reuse_off = reuse_off_reason.empty() ? reduction_reuse_off_reason(r) : reuse_off_reason;
      for (SampleState& st : states) {
        const datasets::Sample& s = *st.sample;
        // Greedy answer of this (sample, reduction, method): the greedy row and the speculative rows'
        // comparison (lossless, speedup) share one run.
        using Answered = std::tuple<MethodAnswer, nlohmann::json, nlohmann::json>;  // answer, memory, reduction record
        std::optional<Answered> greedy;
        std::optional<PrefixReuseFigures> reuse_figures;
        auto run_answer = [&](const DecoderConfig& d) -> Answered {
          reset_device_peak(c.device);
          const std::string draft_dir = draft_model_of(d);
          auto draft = st.draft_inputs.find(draft_dir);
          if (!draft_dir.empty() && draft == st.draft_inputs.end()) {
            if (!drafts)
              throw std::invalid_argument("decoder '" + d.name + "' drafts with a second model, which the " + model.family() +
                                          " family does not support");
            draft = st.draft_inputs.emplace(draft_dir, drafts->input(draft_dir, st.video.input, st.video.plan.system_prompt,
                                                                     st.video.plan.question_text, st.prompt.ids,
                                                                     st.video.plan.assistant_prefix)).first;
          }
          if (d.is_greedy() && run_reuse_off.empty()) {  // no reduction here (reduction_reuse_off_reason)
            PrefixReuseFigures f;
            MethodAnswer a = reuse.answer(prefix_group(s.video_id, s.video_file.string(), protocol_name), st.prompt, st.x_LD,
                                          m, bench.max_new_tokens(), f, shared_tokens);
            reuse_figures = f;
            return {std::move(a), memory_figures(c.device).to_json(), nullptr};
          }
          if (!r.is_none()) reduction::check_frame_tokens_are_visual(st.prompt.layout, st.prompt.visual_slots, r.label());
          reduction::ReducedAnswer a = reduction::answer_reduced(model, st.x_LD, st.prompt.layout, m, r, bench.max_new_tokens(), d,
                                                                 draft_dir.empty() ? nullptr : &draft->second,
                                                                 &st.fastvid);
          return {std::move(a.answer), memory_figures(c.device).to_json(), std::move(a.record)};
        };
        auto greedy_for = [&]() -> const Answered& {
          if (!greedy) greedy = run_answer(DecoderConfig{});
          return *greedy;
        };
        for (const DecoderConfig& d : c.decoders) {
          nlohmann::json row = base_row(s, bench, m, d, r, c, protocol, model_json, prov);
          row["model_load"] = model.load_figures();
          if (store.done(row["key"].get<std::string>())) {
            ++sum.rows_skipped;
            continue;
          }
          if (st.info.is_object()) row.update(st.info);
          try {
            if (!st.error.empty()) throw std::runtime_error(st.error);
            Answered own;
            if (!d.is_greedy()) own = run_answer(d);
            const auto& [a, memory, record] = d.is_greedy() ? greedy_for() : own;
            fill_answer_fields(row, a, memory, s, bench);
            if (!r.is_none()) row["reduction"] = record;
            if (a.speculative) {
              const MethodAnswer& base = std::get<0>(greedy_for());
              SpeculativeFigures f = *a.speculative;
              f.greedy_decode_ms = base.timings.decode_ms;
              f.lossless = a.tokens == base.tokens;
              row["speculative"] = speculative_metrics(f);
              row["lossless"] = f.lossless;
              row["greedy_generated_tokens"] = base.tokens.size();
              row["selection"] = a.selection;
            }
            row["timings_ms"] = {{"decode_video", st.video.decode_video_ms}, {"preprocess", st.video.preprocess_ms},
                                 {"vision", st.vision_ms},                  {"prefill_attention", a.timings.prefill_attention_ms},
                                 {"prefill_other", a.timings.prefill_other_ms}, {"decode", a.timings.decode_ms}};
            if (a.speculative) row["timings_ms"]["std_selection"] = a.timings.prefill_observer_ms;
            if (!a.timings.sparse.layers.empty()) row["sparse"] = a.timings.sparse.to_json();  // issue 25
            if (!r.is_none()) row["timings_ms"]["reduction"] = record["ms"];
            if (d.is_greedy() && reuse_figures) row["prefix_reuse"] = reuse_figures->to_json();
            else row["prefix_reuse"] = {{"reused", false}, {"reason", run_reuse_off.empty() ? "off: decoder '" + d.name +
                                                                       "' runs its own whole prefill" : run_reuse_off}};
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
      }
      reuse.clear();  // the next (reduction, method) configuration prefills its own prefix
    }
    for (const SampleState& st : states) {
      ++sum.samples;
      progress.advance(1, st.sample->id + (st.error.empty() ? "" : " [error]") + "  " + running.text());
    }
  }
  sum.seconds = std::chrono::duration<double>(Clock::now() - t_start).count();
  return sum;
}

}  // namespace pevlm
