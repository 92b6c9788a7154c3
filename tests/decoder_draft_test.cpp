// Speculative decoding with a draft model — vanilla and ParallelVLM — on random-weight tiny
// Qwen2.5-VL LLMs in fp32 (../shared/reference/decode_side.md, "Invariants a CPU test can hold"):
//  1. the output equals greedy decoding of the target for a "small" draft (different size and weights),
//     a second random draft, the target itself as draft and an always-wrong draft; gamma 1/3/6, alpha
//     0/0.5/0.9, vanilla and parallel, two threads and the simulated (sequential) pipeline, stop
//     tokens and length cuts, fixed and auto gamma;
//  2. a draft with the target's arithmetic accepts every draft and every parallel window; an
//     always-wrong one accepts nothing and never keeps a parallel window;
//  3. accounting: 0 <= accepted <= drafted <= gamma, 1 + sum(emitted) = output length;
//  4. after every round the target's cache rows equal greedy decoding's and no rejected row is visible;
//  6. the two-thread pipeline emits the same tokens and rounds as the simulated one, whose modelled
//     (overlapped) time is not larger than its sequential time;
// plus UV-Prune against a brute-force score, the pruned layout, and the decoder registry entries.
#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "attention/executor.h"
#include "decoders/decode_metrics.h"
#include "decoders/decoder_registry.h"
#include "methods/method_registry.h"
#include "decoders/pair_prefill.h"
#include "decoders/uv_prune.h"
#include "models/llm/weights.h"
#include "tests/qwen_tiny_test_config.h"

namespace q = pevlm::qwen2_5_vl;
namespace llm = pevlm::llm;

namespace pevlm {
namespace {

constexpr int64_t kVocab = 512;

llm::Decoder make_llm(const std::string& size, uint64_t seed) {
  q::Qwen25VLConfig c = testing::small_tiny_config(kVocab);
  if (size != "base") c = q::tiny_config(kVocab, c.tokens, /*bf16=*/false, size);
  llm::DecoderOptions o;
  o.dtype = at::kFloat;
  return llm::Decoder(c.text, llm::random_weights(c.text, seed, at::kFloat, 0.08), o);
}

// 6 text tokens, 6 frames of 8 tokens (48 visual, M-RoPE 2 x 4 grids), 6 question tokens: L = 60.
TokenLayout layout() {
  SyntheticLayoutSpec spec;
  spec.leading_text = 6, spec.frames = 6, spec.tokens_per_frame = 8, spec.question = 6, spec.mrope = true;
  spec.grid_h = 2, spec.grid_w = 4;
  return make_synthetic_layout(spec);
}

enum class Draft { Small, Random, Self };

struct Mode {
  bool parallel = false;
  double alpha = 0.0;
  bool threads = false;
  bool auto_gamma = false;
};

struct Bench {
  llm::Decoder target = make_llm("base", 7);
  llm::Decoder small = make_llm("small", 11);
  llm::Decoder random = make_llm("small", 12);
  std::unique_ptr<attention::Executor> executor = attention::make_executor("cpu");
  std::unique_ptr<attention::Executor> draft_executor = attention::make_executor("cpu");
  TokenLayout lay = layout();
  AttentionPlan plan = build_plan(resolve_method({{"name", "full"}}), lay);
  std::vector<int64_t> ids;
  Bench() {
    at::set_num_threads(1);  // tiny matrices: one intra-op thread per side (the parallel side has its own thread)
    for (int64_t i = 0; i < lay.length; ++i) ids.push_back(6 + (i * 37 + 11) % 500);
  }
  const llm::Decoder& draft(Draft d) const { return d == Draft::Small ? small : d == Draft::Random ? random : target; }
  llm::GenerationResult greedy(const llm::GenerationOptions& g, llm::Session* keep = nullptr) {
    llm::Session s = target.prefill(target.embed(ids), plan, *executor);
    llm::GenerationResult r = target.generate(s, g);
    if (keep) *keep = std::move(s);
    return r;
  }
  decoders::DraftResult run(Draft d, int64_t gamma, const Mode& m, const llm::GenerationOptions& g, const decoders::DraftFilter& filter = {},
                     const decoders::DraftRoundHook& hook = {}) {
    decoders::PairPrefillOptions po;
    po.prune = m.parallel;
    po.alpha = m.alpha;
    po.early_layers = 2;
    po.concurrent = m.threads;
    po.startup_steps = m.parallel ? gamma + 1 : 0;
    po.filter = filter;
    const llm::Decoder& dm = draft(d);
    decoders::PairPrefill pre = decoders::prefill_pair(target, target.embed(ids), lay, plan, *executor, dm, dm.embed(ids), *draft_executor, po);
    decoders::DraftOptions o;
    o.gamma = gamma;
    o.parallel = m.parallel;
    o.threads = m.threads;
    o.auto_gamma = m.auto_gamma;
    return decoders::generate_with_draft(target, pre.target, *pre.draft, g, o, hook);
  }
};

Bench& bench() {
  static Bench b;
  return b;
}

std::string describe(Draft d, int64_t gamma, const Mode& m) {
  return "draft " + std::to_string(int(d)) + " gamma " + std::to_string(gamma) + (m.parallel ? " parallel" : " vanilla") +
         " alpha " + std::to_string(m.alpha) + (m.threads ? " threads" : " sequential");
}

void check_accounting(const decoders::DraftResult& r, int64_t gamma_max, const llm::GenerationOptions& g) {
  int64_t emitted = 0;
  for (size_t i = 0; i < r.stats.rounds.size(); ++i) {
    const decoders::DraftRound& round = r.stats.rounds[i];
    EXPECT_GE(round.accepted, 0);
    EXPECT_LE(round.accepted, round.drafted);
    EXPECT_LE(round.drafted, gamma_max);
    if (i + 1 < r.stats.rounds.size()) EXPECT_EQ(round.emitted, round.accepted + 1);
    else EXPECT_TRUE(round.emitted == round.accepted + 1 || (r.generation.stopped && round.emitted == round.accepted));
    emitted += round.emitted;
  }
  EXPECT_EQ(1 + emitted, int64_t(r.generation.tokens.size()));
  EXPECT_EQ(r.stats.verify_passes, int64_t(r.stats.rounds.size()));
  EXPECT_LE(int64_t(r.generation.tokens.size()), g.max_new_tokens);
  EXPECT_LE(r.stats.modelled_ms, r.stats.draft_ms + r.stats.verify_ms + 1e-9);
}

const std::vector<Mode>& modes() {
  static const std::vector<Mode> m = {{false, 0.0, false}, {true, 0.0, true}, {true, 0.5, false}, {true, 0.9, true},
                                      {true, 0.9, false}};
  return m;
}

TEST(DecoderDraft, OutputEqualsGreedyForEveryDraftGammaAlphaAndPipeline) {
  Bench& b = bench();
  llm::GenerationOptions g;
  g.max_new_tokens = 20;
  const llm::GenerationResult greedy = b.greedy(g);
  ASSERT_EQ(greedy.tokens.size(), 20u);
  for (Draft d : {Draft::Small, Draft::Random, Draft::Self})
    for (int64_t gamma : {1, 3, 6})
      for (const Mode& m : modes()) {
        if (d != Draft::Small && gamma != 3) continue;  // every gamma with one draft keeps the test short
        const decoders::DraftResult r = b.run(d, gamma, m, g);
        EXPECT_EQ(r.generation.tokens, greedy.tokens) << describe(d, gamma, m);
        EXPECT_EQ(r.generation.stopped, greedy.stopped);
        check_accounting(r, gamma, g);
      }
}

TEST(DecoderDraft, StopTokensAndLengthCutsAreExact) {
  Bench& b = bench();
  llm::GenerationOptions g;
  g.max_new_tokens = 20;
  const llm::GenerationResult greedy = b.greedy(g);
  for (size_t at : {size_t(0), size_t(3), size_t(7)}) {  // stop on the token greedy emits at position `at`
    llm::GenerationOptions gs = g;
    gs.stop_ids = {greedy.tokens[at], 511};
    const llm::GenerationResult greedy_stop = b.greedy(gs);
    ASSERT_TRUE(greedy_stop.stopped);
    for (int64_t gamma : {1, 3, 6})
      for (const Mode& m : modes()) {
        const decoders::DraftResult r = b.run(Draft::Small, gamma, m, gs);
        EXPECT_EQ(r.generation.tokens, greedy_stop.tokens) << "stop at " << at << " " << describe(Draft::Small, gamma, m);
        EXPECT_TRUE(r.generation.stopped);
        check_accounting(r, gamma, gs);
      }
  }
  for (int64_t n : {0, 1, 2, 5, 11}) {
    llm::GenerationOptions gn = g;
    gn.max_new_tokens = n;
    const llm::GenerationResult greedy_n = b.greedy(gn);
    for (int64_t gamma : {1, 3, 6})
      for (const Mode& m : modes()) {
        const decoders::DraftResult r = b.run(Draft::Self, gamma, m, gn);
        EXPECT_EQ(r.generation.tokens, greedy_n.tokens) << "max_new_tokens=" << n << " " << describe(Draft::Self, gamma, m);
        if (n > 0) check_accounting(r, gamma, gn);
      }
  }
}

TEST(DecoderDraft, TheTargetAsItsOwnDraftAcceptsEveryDraftAndEveryParallelWindow) {
  Bench& b = bench();
  llm::GenerationOptions g;
  g.max_new_tokens = 20;
  for (int64_t gamma : {1, 3, 6})
    for (const Mode& m : {Mode{false, 0.0, false}, Mode{true, 0.0, true}, Mode{true, 0.0, false}}) {
      const decoders::DraftResult r = b.run(Draft::Self, gamma, m, g);  // alpha 0: the draft sees every token
      EXPECT_EQ(r.stats.accepted(), r.stats.drafted()) << describe(Draft::Self, gamma, m);
      if (!m.parallel) continue;
      // Every window after the first came from the parallel phase: no sequential draft steps.
      for (size_t i = 1; i < r.stats.rounds.size(); ++i) EXPECT_EQ(r.stats.rounds[i].window_steps, 0) << "round " << i;
      for (size_t i = 0; i + 1 < r.stats.rounds.size(); ++i)
        if (r.stats.rounds[i].parallel_steps > 0) EXPECT_TRUE(r.stats.rounds[i].parallel_used) << "round " << i;
      EXPECT_GT(r.stats.parallel_used(), 0);
    }
}

TEST(DecoderDraft, AnAlwaysWrongDraftAcceptsNothingAndStillEqualsGreedy) {
  Bench& b = bench();
  llm::GenerationOptions g;
  g.max_new_tokens = 16;
  const llm::GenerationResult greedy = b.greedy(g);
  // Proposes a token greedy does not emit at that output position.
  const decoders::DraftFilter wrong = [&](int64_t index, int64_t token) {
    const int64_t right = index < int64_t(greedy.tokens.size()) ? greedy.tokens[size_t(index)] : token;
    return (right + 1) % kVocab;
  };
  for (int64_t gamma : {1, 3, 6})
    for (const Mode& m : modes()) {
      const decoders::DraftResult r = b.run(Draft::Small, gamma, m, g, wrong);
      EXPECT_EQ(r.generation.tokens, greedy.tokens) << describe(Draft::Small, gamma, m);
      EXPECT_EQ(r.stats.accepted(), 0);
      EXPECT_EQ(r.stats.parallel_used(), 0);
      EXPECT_EQ(int64_t(r.stats.rounds.size()), g.max_new_tokens - 1);  // one token (the bonus) per round
      check_accounting(r, gamma, g);
    }
}

TEST(DecoderDraft, TargetCacheRowsAfterEveryRoundEqualGreedyDecoding) {
  Bench& b = bench();
  llm::GenerationOptions g;
  g.max_new_tokens = 20;
  llm::Session ref;
  const llm::GenerationResult greedy = b.greedy(g, &ref);
  const int64_t L = b.lay.length;
  for (const Mode& m : modes()) {
    int64_t emitted = 1, rounds = 0;  // the first token comes from the prefill
    auto hook = [&](const decoders::DraftRound& round, const llm::Session& s, const decoders::DraftStream& draft) {
      emitted += round.emitted;
      ++rounds;
      EXPECT_EQ(s.cache.length, round.cache_length);
      // The last emitted token is pending (its k/v not yet written); nothing rejected is visible.
      EXPECT_TRUE(s.cache.length - L == emitted - 1 || s.cache.length - L == emitted);
      EXPECT_EQ(s.next_position, s.plan.positions.max_id() + 1 + (s.cache.length - L));
      ASSERT_LE(s.cache.length, ref.cache.length);
      for (size_t n = 0; n < s.cache.k_LHD.size(); ++n)
        for (auto [a, r] : {std::pair{s.cache.k_LHD[n], ref.cache.k_LHD[n]}, std::pair{s.cache.v_LHD[n], ref.cache.v_LHD[n]}})
          EXPECT_LE((a.narrow(0, 0, s.cache.length) - r.narrow(0, 0, s.cache.length)).abs().max().item<double>(), 1e-5)
              << "layer " << n << " round " << rounds;
      // The draft's cache holds its prompt + processed tokens only.
      EXPECT_EQ(draft.session().cache.length, draft.session().plan.length + draft.processed());
    };
    const decoders::DraftResult r = b.run(Draft::Small, 3, m, g, {}, hook);
    EXPECT_EQ(r.generation.tokens, greedy.tokens);
    EXPECT_GT(rounds, 0);
  }
}

TEST(DecoderDraft, TwoThreadsAndTheSimulatedPipelineEmitTheSameTokensAndRounds) {
  Bench& b = bench();
  llm::GenerationOptions g;
  g.max_new_tokens = 20;
  for (double alpha : {0.0, 0.9})
    for (int64_t gamma : {2, 5}) {
      const decoders::DraftResult seq = b.run(Draft::Small, gamma, {true, alpha, false}, g);
      const decoders::DraftResult thr = b.run(Draft::Small, gamma, {true, alpha, true}, g);
      EXPECT_EQ(seq.generation.tokens, thr.generation.tokens);
      ASSERT_EQ(seq.stats.rounds.size(), thr.stats.rounds.size());
      for (size_t i = 0; i < seq.stats.rounds.size(); ++i) {
        const auto &a = seq.stats.rounds[i], &c = thr.stats.rounds[i];
        EXPECT_EQ(a.drafted, c.drafted);
        EXPECT_EQ(a.accepted, c.accepted);
        EXPECT_EQ(a.window_steps, c.window_steps);
        EXPECT_EQ(a.parallel_steps, c.parallel_steps);
        EXPECT_EQ(a.parallel_used, c.parallel_used);
      }
      EXPECT_LE(seq.stats.modelled_ms, seq.stats.draft_ms + seq.stats.verify_ms + 1e-9);
    }
}

TEST(DecoderDraft, AutoGammaIsMeasuredAfterTheFirstRoundAndStaysLossless) {
  Bench& b = bench();
  llm::GenerationOptions g;
  g.max_new_tokens = 20;
  const llm::GenerationResult greedy = b.greedy(g);
  for (bool threads : {false, true}) {
    const decoders::DraftResult r = b.run(Draft::Small, 4, {true, 0.9, threads, true}, g);
    EXPECT_EQ(r.generation.tokens, greedy.tokens);
    EXPECT_GT(r.stats.calibration_verify_ms, 0.0);
    EXPECT_GT(r.stats.calibration_step_ms, 0.0);
    const int64_t expect = std::clamp<int64_t>(std::llround(r.stats.calibration_verify_ms / r.stats.calibration_step_ms), 1, 32);
    EXPECT_EQ(r.stats.gamma, expect);
    check_accounting(r, std::max<int64_t>(4, r.stats.gamma), g);
  }
}

TEST(UvPrune, ScoresEqualTheBruteForceSimilarityGrowthAndKeepTheTopOneMinusAlpha) {
  Bench& b = bench();
  const TokenLayout& lay = b.lay;
  llm::PrefillOptions po;
  po.keep_hidden_states = true;
  decoders::UvPruneSelector sel(lay, 0.75, 1);
  po.observe_hidden = sel.observer();
  const llm::Session s = b.target.prefill(b.target.embed(b.ids), b.plan, *b.executor, po);
  std::vector<int64_t> visual, text;
  for (int64_t i = 0; i < lay.length; ++i) (lay.video_token_mask()[size_t(i)] ? visual : text).push_back(i);
  const at::Tensor scores = sel.scores();
  ASSERT_EQ(scores.numel(), int64_t(visual.size()));
  // dS_i = sum over question rows j of cos(h1_i, h1_j) - cos(h0_i, h0_j), written out.
  const auto cos = [](const at::Tensor& a, const at::Tensor& c) {
    return (a * c).sum().item<double>() / (a.norm().item<double>() * c.norm().item<double>());
  };
  for (size_t i = 0; i < visual.size(); ++i) {
    double expect = 0;
    for (int64_t j = lay.question_begin(); j < lay.length; ++j)
      expect += cos(s.hidden_states[1][visual[i]], s.hidden_states[1][j]) - cos(s.hidden_states[0][visual[i]], s.hidden_states[0][j]);
    EXPECT_NEAR(scores[int64_t(i)].item<double>(), expect, 1e-4) << "visual row " << visual[i];
  }
  const std::vector<int64_t> rows = sel.rows().get();
  EXPECT_EQ(sel.kept_visual(), 12);  // round(0.25 * 48)
  EXPECT_EQ(int64_t(rows.size()), int64_t(text.size()) + 12);
  EXPECT_TRUE(std::is_sorted(rows.begin(), rows.end()));
  for (int64_t t : text) EXPECT_TRUE(std::binary_search(rows.begin(), rows.end(), t)) << "text row " << t;
  const double kept_min = [&] {
    double m = 1e30;
    for (size_t i = 0; i < visual.size(); ++i)
      if (std::binary_search(rows.begin(), rows.end(), visual[i])) m = std::min(m, scores[int64_t(i)].item<double>());
    return m;
  }();
  for (size_t i = 0; i < visual.size(); ++i)
    if (!std::binary_search(rows.begin(), rows.end(), visual[i])) EXPECT_LE(scores[int64_t(i)].item<double>(), kept_min);
}

TEST(UvPrune, TiesGoToTheLowerIndexAndThePrunedLayoutKeepsRealPositions) {
  const TokenLayout lay = layout();
  std::vector<int64_t> visual;
  for (int64_t i = 0; i < lay.length; ++i)
    if (lay.video_token_mask()[size_t(i)]) visual.push_back(i);
  const std::vector<int64_t> rows = decoders::uv_prune_rows(at::zeros({int64_t(visual.size())}), visual, lay.length, 5);
  std::vector<int64_t> expect;
  for (int64_t i = 0; i < lay.length; ++i)
    if (!lay.video_token_mask()[size_t(i)] || (i >= visual.front() && i < visual.front() + 5)) expect.push_back(i);
  EXPECT_EQ(rows, expect);
  const TokenLayout pruned = decoders::prune_layout(lay, rows);
  EXPECT_EQ(pruned.length, int64_t(rows.size()));
  EXPECT_EQ(pruned.num_frames(), 1);  // 5 tokens of the first frame survive
  for (size_t k = 0; k < rows.size(); ++k)
    for (int a = 0; a < 3; ++a) EXPECT_EQ(pruned.positions.at(a, int64_t(k)), lay.positions.at(a, rows[k]));
  EXPECT_EQ(pruned.positions.max_id(), lay.positions.max_id());
  EXPECT_EQ(decoders::uv_prune_keep_count(48, 0.9), 5);
  EXPECT_EQ(decoders::uv_prune_keep_count(48, 0.0), 48);
  EXPECT_THROW(decoders::uv_prune_keep_count(48, 1.5), std::invalid_argument);
}

TEST(DecoderDraft, ADraftWithAnotherVocabularyOrTooManyEarlyLayersIsAnError) {
  Bench& b = bench();
  q::Qwen25VLConfig c = testing::small_tiny_config(kVocab + 8);
  llm::DecoderOptions o;
  o.dtype = at::kFloat;
  const llm::Decoder other(c.text, llm::random_weights(c.text, 3, at::kFloat, 0.08), o);
  std::vector<int64_t> ids = b.ids;
  try {
    decoders::prefill_pair(b.target, b.target.embed(ids), b.lay, b.plan, *b.executor, other, other.embed(ids), *b.draft_executor, {});
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("vocabulary has 520 words, the target's 512"), std::string::npos) << e.what();
  }
  decoders::PairPrefillOptions po;
  po.prune = true;
  po.early_layers = 3;
  EXPECT_THROW(decoders::prefill_pair(b.target, b.target.embed(ids), b.lay, b.plan, *b.executor, b.small, b.small.embed(ids),
                               *b.draft_executor, po),
               std::invalid_argument);
}

TEST(DecoderRegistry, DraftModelDecodersValidateTheirParameters) {
  const DecoderConfig p = resolve_decoder({{"name", "parallelvlm"}, {"draft_model", "/m/small"}});
  EXPECT_EQ(p.label(), "parallelvlm(draft_model=/m/small,alpha=0.9,early_layers=2,gamma=auto,pipeline=threads)");
  EXPECT_EQ(draft_model_of(p), "/m/small");
  EXPECT_TRUE(p.speculative());
  EXPECT_EQ(resolve_decoder({{"name", "speculative"}, {"draft_model", "d"}}).label(), "speculative(draft_model=d,gamma=5)");
  EXPECT_EQ(resolve_decoder({{"name", "parallelvlm"}, {"draft_model", "d"}, {"gamma", 3}}).params["gamma"], 3);
  auto error = [](const nlohmann::json& entry) {
    try {
      resolve_decoder(entry);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(error({{"name", "speculative"}}).find("needs 'draft_model'"), std::string::npos);
  EXPECT_NE(error({{"name", "parallelvlm"}, {"draft_model", "d"}, {"gamma", "fast"}}).find("an integer or one of {auto}"),
            std::string::npos);
  EXPECT_NE(error({{"name", "parallelvlm"}, {"draft_model", "d"}, {"alpha", 1.0}}).find("0 <= alpha < 1"), std::string::npos);
  EXPECT_NE(error({{"name", "parallelvlm"}, {"draft_model", "d"}, {"gamma", 0}}).find("1..64"), std::string::npos);
  EXPECT_NE(error({{"name", "speculative"}, {"draft_model", ""}}).find("non-empty string"), std::string::npos);
  EXPECT_NE(error({{"name", "speculative"}, {"draft_model", "d"}, {"alpha", 0.5}}).find("valid parameters: draft_model, gamma"),
            std::string::npos);
  EXPECT_EQ(expand_decoders(nlohmann::json{{"name", "parallelvlm"}, {"draft_model", "d"}, {"alpha", {0.5, 0.9}}, {"gamma", {"auto", 4}}})
                .size(),
            4u);
}

TEST(DecoderMetrics, ParallelTimingModelAndDraftModelFields) {
  EXPECT_DOUBLE_EQ(predicted_parallel_speedup(1.0, 4, 2.0), 5.0);          // every window accepted: gamma + 1 per verify
  EXPECT_DOUBLE_EQ(predicted_parallel_speedup(0.0, 4, 2.0), 1.0 / 3.0);    // nothing accepted: verify + gamma draft steps
  EXPECT_GT(predicted_parallel_speedup(0.8, 4, 4.0), predicted_speedup(0.8, 4, 4.0));
  SpeculativeFigures f;
  f.gamma = 3, f.generated = 10, f.rounds = 4, f.drafted = 12, f.accepted = 6, f.draft_steps = 12, f.verify_passes = 4;
  f.draft_ms = 12, f.verify_ms = 8, f.decode_ms = 20, f.greedy_decode_ms = 30;
  const nlohmann::json std_row = speculative_metrics(f);
  EXPECT_TRUE(std_row["target_idle_ms"].is_null());
  EXPECT_TRUE(std_row["predicted_speedup_parallel"].is_null());
  f.two_models = f.parallel = true;
  f.target_idle_ms = 12, f.draft_idle_ms = 8, f.modelled_ms = 15, f.parallel_windows = 3, f.parallel_used = 1;
  const nlohmann::json row = speculative_metrics(f);
  EXPECT_EQ(row["target_idle_ms"], 12.0);
  EXPECT_EQ(row["draft_idle_ms"], 8.0);
  EXPECT_EQ(row["parallel_used"], 1);
  EXPECT_DOUBLE_EQ(row["mean_accepted_length"].get<double>(), 1.5);
  EXPECT_DOUBLE_EQ(row["predicted_speedup_parallel"].get<double>(), predicted_parallel_speedup(0.5, 3, 2.0));
}

}  // namespace
}  // namespace pevlm
