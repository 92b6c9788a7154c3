// Sparse-to-Dense self-speculation on a random-weight tiny Qwen2.5-VL LLM in fp32
// (../shared/reference/decode_side.md, "Invariants a CPU test can hold" 1-5):
//  1. the output equals greedy decoding for K = 0 .. >= every visual token, gamma 1/3/9, batched and
//     sequential verify, stop tokens and length cuts;
//  2. a draft that keeps every token accepts every draft;
//  3. accounting: 0 <= accepted <= drafted <= gamma, 1 + sum(emitted) = output length, emitted =
//     accepted + 1 but in the last round; verify passes per mode;
//  4. after every round the dense cache rows equal greedy decoding's (sequential: bit for bit), and
//     the cache length leaves no rejected row visible;
//  5. exactly min(K, visual) unique visual rows per layer and KV head, every non-visual row kept,
//     the top-K of a brute-force score, ties to the lower index.
// Plus the decoder registry (names, sweeps, errors, labels) and the timing model.
#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include <algorithm>
#include <set>

#include "attention/executor.h"
#include "decoders/decode_metrics.h"
#include "decoders/decoder_registry.h"
#include "methods/method_registry.h"
#include "decoders/std_decode.h"
#include "models/qwen2_5_vl/tiny_model.h"
#include "models/llm/weights.h"
#include "tests/qwen_tiny_test_config.h"

namespace q = pevlm::qwen2_5_vl;
namespace llm = pevlm::llm;

namespace pevlm {
namespace {

q::Qwen25VLConfig small_config() { return testing::small_tiny_config(); }

// 6 text tokens, 6 frames of 8 tokens (48 visual), 6 question tokens: L = 60.
TokenLayout layout() {
  SyntheticLayoutSpec spec;
  spec.leading_text = 6, spec.frames = 6, spec.tokens_per_frame = 8, spec.question = 6, spec.mrope = false;
  return make_synthetic_layout(spec);
}
constexpr int64_t kVisual = 48;

struct Bench {
  q::Qwen25VLConfig config = small_config();
  llm::Decoder llm{config.text, llm::random_weights(config.text, 7, at::kFloat, 0.08), [] {
                   llm::DecoderOptions o;
                   o.dtype = at::kFloat;
                   return o;
                 }()};
  std::unique_ptr<attention::Executor> executor = attention::make_executor("cpu");
  TokenLayout lay = layout();
  AttentionPlan plan = build_plan(resolve_method({{"name", "full"}}), lay);
  at::Tensor x_LD;
  Bench() {
    std::vector<int64_t> ids;
    for (int64_t i = 0; i < lay.length; ++i) ids.push_back(6 + (i * 37 + 11) % 500);
    x_LD = llm.embed(ids);
  }
  llm::Session greedy_session(llm::GenerationResult& out, const llm::GenerationOptions& g) {
    llm::Session s = llm.prefill(x_LD, plan, *executor);
    out = llm.generate(s, g);
    return s;
  }
  decoders::StdResult run_std(const llm::GenerationOptions& g, const decoders::StdOptions& o, const decoders::StdRoundHook& hook = {},
                       decoders::StdSelection* sel_out = nullptr) {
    decoders::StdSelector selector(lay, o.k_tokens, config.text.num_layers, config.text.head_dim);
    llm::PrefillOptions po;
    po.observe_qk = selector.observer();
    llm::Session s = llm.prefill(x_LD, plan, *executor, po);
    decoders::StdSelection sel = selector.take();
    decoders::StdResult r = decoders::generate_std(llm, s, sel, g, o, hook);
    if (sel_out) *sel_out = sel;
    return r;
  }
};

Bench& bench() {
  static Bench b;
  return b;
}

void check_accounting(const decoders::StdResult& r, const decoders::StdOptions& o, const llm::GenerationOptions& g) {
  int64_t emitted = 0, passes = 0;
  for (size_t i = 0; i < r.stats.rounds.size(); ++i) {
    const decoders::StdRound& round = r.stats.rounds[i];
    EXPECT_GE(round.accepted, 0);
    EXPECT_LE(round.accepted, round.drafted);
    EXPECT_LE(round.drafted, o.gamma);
    if (i + 1 < r.stats.rounds.size()) EXPECT_EQ(round.emitted, round.accepted + 1);
    else EXPECT_TRUE(round.emitted == round.accepted + 1 || (r.generation.stopped && round.emitted == round.accepted));
    emitted += round.emitted;
    passes += o.sequential_verify ? round.accepted + 1 : 1;
  }
  EXPECT_EQ(1 + emitted, int64_t(r.generation.tokens.size()));
  EXPECT_EQ(r.stats.verify_passes, passes);
  EXPECT_LE(int64_t(r.generation.tokens.size()), g.max_new_tokens);
}

TEST(DecoderStd, OutputEqualsGreedyForEveryKGammaAndVerifyMode) {
  Bench& b = bench();
  llm::GenerationOptions g;
  g.max_new_tokens = 24;
  llm::GenerationResult greedy;
  b.greedy_session(greedy, g);
  ASSERT_EQ(greedy.tokens.size(), 24u);
  for (int64_t k : {int64_t(0), int64_t(5), int64_t(17), kVisual, int64_t(1000)})
    for (int64_t gamma : {1, 3, 9})
      for (bool seq : {false, true}) {
        decoders::StdOptions o{k, gamma, seq};
        const decoders::StdResult r = b.run_std(g, o);
        EXPECT_EQ(r.generation.tokens, greedy.tokens) << "K=" << k << " gamma=" << gamma << " sequential=" << seq;
        EXPECT_EQ(r.generation.stopped, greedy.stopped);
        check_accounting(r, o, g);
      }
}

TEST(DecoderStd, StopTokensAndLengthCutsAreExact) {
  Bench& b = bench();
  llm::GenerationOptions g;
  g.max_new_tokens = 24;
  llm::GenerationResult greedy;
  b.greedy_session(greedy, g);
  for (size_t at : {size_t(0), size_t(3), size_t(7)}) {  // stop on the token greedy emits at position `at`
    llm::GenerationOptions gs = g;
    gs.stop_ids = {greedy.tokens[at], 511};
    llm::GenerationResult greedy_stop;
    b.greedy_session(greedy_stop, gs);
    ASSERT_TRUE(greedy_stop.stopped);
    for (int64_t k : {int64_t(0), int64_t(9), kVisual})
      for (int64_t gamma : {1, 3, 9})
        for (bool seq : {false, true}) {
          const decoders::StdOptions o{k, gamma, seq};
          const decoders::StdResult r = b.run_std(gs, o);
          EXPECT_EQ(r.generation.tokens, greedy_stop.tokens) << "stop at " << at << " K=" << k << " gamma=" << gamma;
          EXPECT_TRUE(r.generation.stopped);
          check_accounting(r, o, gs);
        }
  }
  for (int64_t n : {0, 1, 2, 5, 10, 11}) {
    llm::GenerationOptions gn = g;
    gn.max_new_tokens = n;
    llm::GenerationResult greedy_n;
    b.greedy_session(greedy_n, gn);
    for (int64_t gamma : {1, 3, 9}) {
      const decoders::StdOptions o{4, gamma, false};
      const decoders::StdResult r = b.run_std(gn, o);
      EXPECT_EQ(r.generation.tokens, greedy_n.tokens) << "max_new_tokens=" << n << " gamma=" << gamma;
      if (n > 0) check_accounting(r, o, gn);
    }
  }
}

TEST(DecoderStd, KeepingEveryTokenAcceptsEveryDraft) {
  Bench& b = bench();
  llm::GenerationOptions g;
  g.max_new_tokens = 20;
  for (bool seq : {false, true})
    for (int64_t gamma : {1, 3, 9}) {
      const decoders::StdResult r = b.run_std(g, {kVisual, gamma, seq});
      EXPECT_EQ(r.stats.accepted(), r.stats.drafted()) << "gamma=" << gamma << " sequential=" << seq;
      for (const auto& round : r.stats.rounds) EXPECT_EQ(round.accepted, round.drafted);
    }
}

TEST(DecoderStd, CacheRowsAfterEveryRoundEqualGreedyDecoding) {
  Bench& b = bench();
  llm::GenerationOptions g;
  g.max_new_tokens = 20;
  llm::GenerationResult greedy;
  const llm::Session ref = b.greedy_session(greedy, g);
  const int64_t L = b.lay.length;
  for (bool seq : {false, true})
    for (int64_t k : {int64_t(0), int64_t(12)}) {
      int64_t emitted = 0, rounds = 0;
      auto hook = [&](const decoders::StdRound& round, const llm::Session& s) {
        emitted += round.emitted;
        ++rounds;
        EXPECT_EQ(s.cache.length, round.cache_length);
        EXPECT_EQ(s.next_position, s.plan.positions.max_id() + 1 + (s.cache.length - L));
        // Every round ends with the last emitted token pending (its k/v not yet written).
        EXPECT_TRUE(s.cache.length - L == emitted || s.cache.length - L == emitted + 1);
        ASSERT_LE(s.cache.length, ref.cache.length);
        for (size_t n = 0; n < s.cache.k_LHD.size(); ++n)
          for (auto [a, r] : {std::pair{s.cache.k_LHD[n], ref.cache.k_LHD[n]}, std::pair{s.cache.v_LHD[n], ref.cache.v_LHD[n]}}) {
            const at::Tensor x = a.narrow(0, 0, s.cache.length), y = r.narrow(0, 0, s.cache.length);
            if (seq) EXPECT_TRUE(at::equal(x, y)) << "layer " << n << " round " << rounds;
            else EXPECT_LE((x - y).abs().max().item<double>(), 1e-5) << "layer " << n << " round " << rounds;
          }
      };
      const decoders::StdResult r = b.run_std(g, {k, 3, seq}, hook);
      EXPECT_EQ(r.generation.tokens, greedy.tokens);
      EXPECT_GT(rounds, 0);
    }
}

TEST(DecoderStd, SelectionKeepsExactlyKUniqueVisualRowsAndEveryTextRow) {
  Bench& b = bench();
  const auto vis = b.lay.video_token_mask();
  // Brute-force scores of layer 0 from the observed q/k: per question row, dense causal softmax.
  at::Tensor q0, k0;
  for (int64_t k : {int64_t(0), int64_t(1), int64_t(13), kVisual - 1, kVisual, int64_t(500)}) {
    decoders::StdSelector selector(b.lay, k, b.config.text.num_layers, b.config.text.head_dim);
    llm::PrefillOptions po;
    auto inner = selector.observer();
    po.observe_qk = [&](int64_t layer, const at::Tensor& q, const at::Tensor& kk) {
      if (layer == 0) q0 = q.clone(), k0 = kk.clone();
      inner(layer, q, kk);
    };
    b.llm.prefill(b.x_LD, b.plan, *b.executor, po);
    const decoders::StdSelection sel = selector.take();
    const int64_t K = std::min(k, kVisual);
    EXPECT_EQ(sel.kept_visual, K);
    EXPECT_EQ(sel.visual_tokens, kVisual);
    for (const at::Tensor& rows : sel.rows_SH) {
      ASSERT_EQ(rows.size(0), b.lay.length - kVisual + K);
      for (int64_t h = 0; h < rows.size(1); ++h) {
        std::set<int64_t> kept, visual;
        for (int64_t r = 0; r < rows.size(0); ++r) kept.insert(rows[r][h].item<int64_t>());
        EXPECT_EQ(int64_t(kept.size()), rows.size(0)) << "duplicate rows";
        for (int64_t i = 0; i < b.lay.length; ++i) {
          if (!vis[size_t(i)]) EXPECT_TRUE(kept.count(i)) << "text row " << i << " dropped";
          else if (kept.count(i)) visual.insert(i);
        }
        EXPECT_EQ(int64_t(visual.size()), K);
      }
    }
    if (K == 0 || K == kVisual) continue;
    // Layer 0 against brute force: the K best visual rows by the dense score, ties to lower index.
    const int64_t L = b.lay.length, qb = b.lay.question_begin(), Hq = q0.size(1), Hkv = k0.size(1);
    const double scale = 1.0 / std::sqrt(double(b.config.text.head_dim));
    for (int64_t g = 0; g < Hkv; ++g) {
      std::vector<std::pair<double, int64_t>> score;  // (-score, row)
      for (int64_t i = 0; i < L; ++i)
        if (vis[size_t(i)]) score.push_back({0.0, i});
      for (int64_t h = g * (Hq / Hkv); h < (g + 1) * (Hq / Hkv); ++h)
        for (int64_t r = qb; r < L; ++r) {
          const at::Tensor p = at::softmax(at::mv(k0.narrow(0, 0, r + 1).select(1, g).to(at::kDouble),
                                                  q0[r][h].to(at::kDouble)) * scale, 0);
          for (auto& [s, i] : score) s -= p[i].item<double>() / double(L - qb);
        }
      std::stable_sort(score.begin(), score.end(), [](auto& a, auto& c) { return a.first < c.first; });
      std::set<int64_t> want, got;
      for (int64_t i = 0; i < K; ++i) want.insert(score[size_t(i)].second);
      for (int64_t r = 0; r < sel.rows_SH[0].size(0); ++r) {
        const int64_t row = sel.rows_SH[0][r][g].item<int64_t>();
        if (vis[size_t(row)]) got.insert(row);
      }
      EXPECT_EQ(got, want) << "K=" << k << " KV head " << g;
    }
  }
}

TEST(DecoderStd, TiesGoToTheLowerIndex) {
  // Zero queries attend uniformly: every visual score ties, so the K lowest visual rows are kept.
  const TokenLayout lay = layout();
  decoders::StdSelector selector(lay, 10, 1, 32);
  selector.observer()(0, at::zeros({lay.length, 4, 32}), at::randn({lay.length, 2, 32}));
  const decoders::StdSelection sel = selector.take();
  const int64_t first_visual = lay.video_begin();
  for (int64_t h = 0; h < 2; ++h) {
    std::vector<int64_t> visual;
    for (int64_t r = 0; r < sel.rows_SH[0].size(0); ++r) {
      const int64_t row = sel.rows_SH[0][r][h].item<int64_t>();
      if (row >= first_visual && row < first_visual + kVisual) visual.push_back(row);
    }
    std::vector<int64_t> want;
    for (int64_t i = 0; i < 10; ++i) want.push_back(first_visual + i);
    EXPECT_EQ(visual, want);
  }
}

TEST(DecoderRegistry, NamesDefaultsSweepsAndErrors) {
  EXPECT_EQ(decoder_names(), (std::vector<std::string>{"greedy", "std", "speculative", "parallelvlm"}));
  const auto def = expand_decoders(nlohmann::json());
  ASSERT_EQ(def.size(), 1u);
  EXPECT_TRUE(def[0].is_greedy());
  EXPECT_EQ(def[0].label(), "greedy");
  const auto one = expand_decoders({{"name", "std"}});
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].label(), "std(k_tokens=1024,gamma=9,verify=batched)");
  EXPECT_TRUE(one[0].speculative());
  const auto sweep = expand_decoders(nlohmann::json::array(
      {{{"name", "greedy"}}, {{"name", "std"}, {"gamma", {1, 3}}, {"verify", {"batched", "sequential"}}}, {{"name", "greedy"}}}));
  EXPECT_EQ(sweep.size(), 5u);  // greedy + 2 x 2; the repeated greedy dropped
  const MethodConfig m = resolve_method({{"name", "pevlm"}, {"sink_frames", 1}, {"block_frames", 2}});
  EXPECT_EQ(row_label(m, def[0]), m.label());
  EXPECT_EQ(row_label(m, one[0]), m.label() + "+std(k_tokens=1024,gamma=9,verify=batched)");
  auto error_of = [](const nlohmann::json& j) {
    try {
      expand_decoders(j);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(error_of({{"name", "beam"}}).find("valid decoders: greedy, std, speculative, parallelvlm"), std::string::npos);
  EXPECT_NE(error_of({{"name", "std"}, {"k", 3}}).find("valid parameters: k_tokens, gamma, verify"), std::string::npos);
  EXPECT_NE(error_of({{"name", "greedy"}, {"gamma", 3}}).find("valid parameters: (none)"), std::string::npos);
  EXPECT_NE(error_of({{"name", "std"}, {"gamma", 0}}).find("gamma"), std::string::npos);
  EXPECT_NE(error_of({{"name", "std"}, {"verify", "tree"}}).find("batched, sequential"), std::string::npos);
  EXPECT_NE(error_of({{"name", "std"}, {"k_tokens", -1}}).find("k_tokens"), std::string::npos);
  EXPECT_FALSE(error_of(nlohmann::json::array()).empty());
}

TEST(DecoderMetrics, TimingModelAndRowFields) {
  EXPECT_NEAR(predicted_speedup(0.5, 3, 10.0), (1 - 0.0625) / (0.5 * 1.3), 1e-12);
  EXPECT_NEAR(predicted_speedup(1.0, 9, 20.0), 10.0 / 1.45, 1e-12);
  EXPECT_NEAR(predicted_speedup(0.0, 4, 8.0), 1.0 / 1.5, 1e-12);
  SpeculativeFigures f;
  f.gamma = 3, f.generated = 9, f.rounds = 4, f.drafted = 12, f.accepted = 4, f.draft_steps = 12;
  f.draft_ms = 12, f.verify_ms = 40, f.decode_ms = 60, f.selection_ms = 0, f.greedy_decode_ms = 90, f.lossless = true;
  const nlohmann::json j = speculative_metrics(f);
  EXPECT_DOUBLE_EQ(j["acceptance_rate"].get<double>(), 4.0 / 12.0);
  EXPECT_DOUBLE_EQ(j["mean_accepted_length"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(j["speedup_vs_greedy"].get<double>(), 1.5);
  EXPECT_DOUBLE_EQ(j["c"].get<double>(), 10.0);
  EXPECT_DOUBLE_EQ(j["predicted_speedup"].get<double>(), predicted_speedup(4.0 / 12.0, 3, 10.0));
  EXPECT_DOUBLE_EQ(j["decode_tokens_per_s"].get<double>(), 150.0);
  EXPECT_TRUE(j["lossless"].get<bool>());
}

}  // namespace
}  // namespace pevlm
