// The fused CPU kernel (executor "cpu", attention/fused/) against the dense float64 reference on every
// sweep method and position policy, GQA (1, 2, 7 query heads per KV head), head_dim 64 and 128, odd
// lengths, fp32 and bf16, lengths long enough for several query and key tiles, and decode of 1 and 4
// tokens (and of 1, 3, 20, 70 tokens from a narrowed cache of 5k rows: direct and packed decode paths); against the per-piece executor it replaced ("cpu_pieces") at a size the reference cannot
// run. Tolerances from the dtype (tests/attention_test_util.h). Built twice: once with the GEMM path
// this CPU calibrates to, once forcing the bf16 VNNI path (PEVLM_TEST_FUSED_GEMM, tests/attention.cmake).
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>
#include <tuple>

#include "attention/cpu_caps.h"
#include "attention/executor.h"
#include "attention/fused/fused_work.h"
#include "tests/attention_test_util.h"
#include "tests/fused_gemm_path.h"
#include "tests/methods_test_util.h"

namespace pevlm {
namespace {

using testing::expect_attention_close;


// Every sweep method, and each with the other position policy (positions change no key range, but
// the plan must run identically under both).
std::vector<nlohmann::json> methods_and_policies() {
  std::vector<nlohmann::json> out;
  for (const auto& m : testing::executor_sweep_methods()) {
    out.push_back(m);
    if (m["name"] == "full") continue;
    nlohmann::json other = m;
    const bool reuse = m.value("positions", m["name"] == "ape" ? "reuse" : "retain") == "reuse";
    other["positions"] = reuse ? "retain" : "reuse";
    out.push_back(other);
  }
  return out;
}

struct Shape {
  int64_t hq, hkv, d, frames, tpf;
};

void sweep(const std::vector<Shape>& shapes, const std::vector<nlohmann::json>& methods) {
  auto ref = attention::make_executor("reference");
  auto cpu = attention::make_executor("cpu");
  for (const Shape& s : shapes) {
    TokenLayout layout = make_synthetic_layout(SyntheticLayoutSpec{7, s.frames, s.tpf, 9, false, 1, s.tpf, 1});
    const int64_t L = layout.length;
    for (at::ScalarType dtype : {at::kFloat, at::kBFloat16}) {
      at::Tensor q = at::randn({L, s.hq, s.d}).to(dtype), k = at::randn({L, s.hkv, s.d}).to(dtype),
                 v = at::randn({L, s.hkv, s.d}).to(dtype);
      for (const auto& entry : methods) {
        AttentionPlan plan = testing::plan_for(entry, layout);
        const std::string ctx = entry.dump() + " L=" + std::to_string(L) + " Hq=" + std::to_string(s.hq) + " Hkv=" +
                                std::to_string(s.hkv) + " D=" + std::to_string(s.d) + " " + c10::toString(dtype);
        at::Tensor got = cpu->prefill(plan, {q, k, v});
        ASSERT_EQ(got.sizes(), q.sizes()) << ctx;
        ASSERT_EQ(got.scalar_type(), dtype) << ctx;
        expect_attention_close(got, ref->prefill(plan, {q, k, v}), dtype, ctx);
      }
    }
  }
}

TEST(FusedExecutor, MatchesReferenceEveryMethodAndPolicy) {
  PEVLM_REQUIRE_GEMM_PATH();
  at::manual_seed(10);
  // L = 16 + frames * tpf: 191, 331, 268 (odd, not multiples of any tile); 7 heads per KV head as Qwen2.5-VL-7B.
  sweep({{4, 4, 64, 5, 35}, {8, 2, 128, 5, 63}, {7, 1, 64, 9, 28}}, methods_and_policies());
}

TEST(FusedExecutor, MatchesReferenceAcrossTiles) {
  PEVLM_REQUIRE_GEMM_PATH();
  at::manual_seed(11);
  // L = 16 + 11 * 127 = 1413: several 32-token query tiles per block and several 512-key tiles per range.
  sweep({{14, 2, 64, 11, 127}}, {{{"name", "full"}},
                                 {{"name", "pevlm"}, {"sink_frames", 2}, {"block_frames", 3}},
                                 {{"name", "pevlm"}, {"sink_frames", 0}, {"block_frames", 5}},
                                 {{"name", "ape"}, {"prefix_tokens", 300}, {"block_tokens", 700}, {"temperature", 0.8}, {"scale", 0.7}},
                                 {{"name", "star"}, {"block_tokens", 600}, {"anchor_tokens", 550}},
                                 {{"name", "block_attention"}, {"block_tokens", 1111}}});
}

TEST(FusedExecutor, DecodeMatchesReference) {
  PEVLM_REQUIRE_GEMM_PATH();
  at::manual_seed(12);
  testing::expect_decode_matches_reference(*attention::make_executor("cpu"));
}

TEST(FusedExecutor, Bf16DecodeMatchesReference) {
  PEVLM_REQUIRE_GEMM_PATH();
  at::manual_seed(13);
  TokenLayout layout = make_synthetic_layout(SyntheticLayoutSpec{6, 6, 20, 5, false, 1, 20, 1});
  auto ref = attention::make_executor("reference");
  auto cpu = attention::make_executor("cpu");
  for (const auto& entry : testing::executor_sweep_methods()) {
    AttentionPlan plan = testing::plan_for(entry, layout);
    for (int64_t n : {1, 3}) {
      const int64_t total = layout.length + 2 + n;  // two generated tokens already in the cache
      at::Tensor q = at::randn({n, 14, 128}).to(at::kBFloat16), k = at::randn({total, 2, 128}).to(at::kBFloat16),
                 v = at::randn({total, 2, 128}).to(at::kBFloat16);
      expect_attention_close(cpu->decode(plan, {q, k, v}), ref->decode(plan, {q, k, v}), at::kBFloat16,
                             entry.dump() + " n=" + std::to_string(n));
    }
  }
}

TEST(FusedExecutor, MatchesPiecesExecutorAtLength) {
  PEVLM_REQUIRE_GEMM_PATH();
  at::manual_seed(14);
  // 20 + 40 frames x 256 + 60 = 10320 tokens: beyond the reference's limit; the 7B shape's GQA.
  TokenLayout layout = make_synthetic_layout(SyntheticLayoutSpec{20, 40, 256, 60, true, 16, 16, 2});
  const int64_t L = layout.length;
  at::Tensor q = at::randn({L, 7, 128}).to(at::kBFloat16), k = at::randn({L, 1, 128}).to(at::kBFloat16),
             v = at::randn({L, 1, 128}).to(at::kBFloat16);
  auto fused = attention::make_executor("cpu");
  auto pieces = attention::make_executor("cpu_pieces");
  for (const nlohmann::json& e : {nlohmann::json{{"name", "pevlm"}, {"sink_frames", 2}, {"block_frames", 4}},
                                  nlohmann::json{{"name", "ape"}, {"prefix_tokens", 256}, {"block_tokens", 4096}}}) {
    AttentionPlan plan = testing::plan_for(e, layout);
    // Both round their outputs to bf16: twice the single-executor bound.
    const testing::AttentionError err = testing::attention_error(fused->prefill(plan, {q, k, v}), pieces->prefill(plan, {q, k, v}));
    const double u = std::ldexp(1.0, -8);
    EXPECT_LE(err.nmse, 4 * 4 * u * u) << e.dump();
    EXPECT_LE(err.max_abs, 2 * 8 * u * std::max(1.0, err.ref_max)) << e.dump();
  }
}

// Decode straight from a KV cache as the runtime holds it -- [capacity, Hkv, D] narrowed to the used
// rows, so the token stride is not the row length of a packed copy -- long enough for several 2048-key
// chunks per KV head: 1, 3 and 20 tokens take the direct path (decode_direct.h), 70 the packed tile path.
TEST(FusedExecutor, DecodeFromNarrowedCacheAtLength) {
  PEVLM_REQUIRE_GEMM_PATH();
  at::manual_seed(15);
  TokenLayout layout = make_synthetic_layout(SyntheticLayoutSpec{20, 20, 256, 60, true, 16, 16, 2});  // 5200 tokens
  auto ref = attention::make_executor("reference");
  auto cpu = attention::make_executor("cpu");
  for (const nlohmann::json& e : {nlohmann::json{{"name", "full"}},
                                  nlohmann::json{{"name", "ape"}, {"prefix_tokens", 256}, {"block_tokens", 1024}},
                                  nlohmann::json{{"name", "pevlm"}, {"sink_frames", 2}, {"block_frames", 4}}}) {
    const AttentionPlan plan = testing::plan_for(e, layout);
    for (at::ScalarType dtype : {at::kFloat, at::kBFloat16})
      for (int64_t n : {1, 3, 20, 70}) {
        const int64_t total = layout.length + 5 + n, capacity = total + 300;
        at::Tensor k_cache = at::randn({capacity, 2, 128}).to(dtype), v_cache = at::randn({capacity, 2, 128}).to(dtype);
        at::Tensor q = at::randn({n, 14, 128}).to(dtype), k = k_cache.narrow(0, 0, total), v = v_cache.narrow(0, 0, total);
        expect_attention_close(cpu->decode(plan, {q, k, v}), ref->decode(plan, {q, k, v}), dtype,
                               e.dump() + " n=" + std::to_string(n) + (dtype == at::kFloat ? " fp32" : " bf16"));
      }
  }
  EXPECT_NE(cpu->kernel().find("direct from the cache"), std::string::npos) << cpu->kernel();
}

// Logits that grow along the sequence by far more than the softmax's rescale slack (e^8) from one
// key tile to the next, and shrink again: the running max must move and O be rescaled exactly when
// needed (tile_softmax_impl.h), in fp32 and in bf16.
TEST(FusedExecutor, LogitsGrowingAndShrinkingAcrossKeyTiles) {
  PEVLM_REQUIRE_GEMM_PATH();
  at::manual_seed(16);
  TokenLayout layout = make_synthetic_layout(SyntheticLayoutSpec{20, 10, 256, 60, true, 16, 16, 2});  // 2640 tokens
  const int64_t L = layout.length;
  // Key norms ramp 1 -> 40 over the first half and back down: logits up to ~40 x N(0, 1) x 3.
  at::Tensor ramp = at::cat({at::linspace(1.0, 40.0, L / 2), at::linspace(40.0, 1.0, L - L / 2)}).view({L, 1, 1});
  auto ref = attention::make_executor("reference");
  auto cpu = attention::make_executor("cpu");
  for (at::ScalarType dtype : {at::kFloat, at::kBFloat16}) {
    at::Tensor q = (3 * at::randn({L, 4, 64})).to(dtype), k = (at::randn({L, 2, 64}) * ramp).to(dtype), v = at::randn({L, 2, 64}).to(dtype);
    for (const nlohmann::json& e : {nlohmann::json{{"name", "full"}}, nlohmann::json{{"name", "pevlm"}, {"sink_frames", 2}, {"block_frames", 3}},
                                    nlohmann::json{{"name", "ape"}, {"prefix_tokens", 100}, {"block_tokens", 700}}}) {
      const AttentionPlan plan = testing::plan_for(e, layout);
      expect_attention_close(cpu->prefill(plan, {q, k, v}), ref->prefill(plan, {q, k, v}), dtype, e.dump());
    }
  }
}

// The work decomposition: every (segment, KV head, query tile) exactly once, items of one (segment,
// KV head) contiguous (they share K/V windows), groups by total cost descending, tiles by cost
// descending within a group (the smallest last, for the balance at the end).
TEST(FusedExecutor, WorkItemsCoverEveryTileOnceGroupedByKeys) {
  PEVLM_REQUIRE_GEMM_PATH();
  TokenLayout layout = make_synthetic_layout(SyntheticLayoutSpec{20, 12, 64, 30, true, 8, 8, 2});
  const AttentionPlan plan = testing::plan_for({{"name", "pevlm"}, {"sink_frames", 2}, {"block_frames", 3}}, layout);
  const auto segments = attention::fused::prefill_segments(plan);
  const int64_t heads = 3, tile = 10;
  const auto items = attention::fused::make_work_items(segments, heads, 1, tile);
  std::set<std::tuple<int, int, int64_t>> seen;
  int64_t expected = 0;
  for (const auto& s : segments) expected += heads * ((s.q_end - s.q_begin + tile - 1) / tile);
  std::vector<std::pair<int, int>> group_order;
  std::map<std::pair<int, int>, double> group_cost;
  for (size_t i = 0; i < items.size(); ++i) {
    const auto& it = items[i];
    EXPECT_TRUE(seen.insert({it.segment, it.kv_head, it.t0}).second) << "duplicate item";
    const std::pair<int, int> g{it.segment, it.kv_head};
    group_cost[g] += it.cost;
    if (group_order.empty() || group_order.back() != g) {
      EXPECT_EQ(std::count(group_order.begin(), group_order.end(), g), 0) << "group split";
      group_order.push_back(g);
    } else {
      EXPECT_GE(items[i - 1].cost, it.cost) << "tiles not largest first within a group";
    }
  }
  EXPECT_EQ(int64_t(items.size()), expected);
  for (size_t i = 1; i < group_order.size(); ++i) EXPECT_GE(group_cost[group_order[i - 1]], group_cost[group_order[i]]);
}

// The output buffer is reused once the caller has dropped it, never while any tensor still shares it
// (attention/fused/output_recycler.h): a held output keeps its values through later calls.
TEST(FusedExecutor, ReusesTheOutputOnlyWhenTheCallerDroppedIt) {
  PEVLM_REQUIRE_GEMM_PATH();
  TokenLayout layout = make_synthetic_layout(SyntheticLayoutSpec{7, 6, 40, 9, true, 8, 5, 1});
  const AttentionPlan plan = testing::plan_for({{"name", "pevlm"}, {"sink_frames", 1}, {"block_frames", 2}}, layout);
  const int64_t L = layout.length;
  auto cpu = attention::make_executor("cpu");
  auto ref = attention::make_executor("reference");
  at::Tensor q = at::randn({L, 4, 32}), k = at::randn({L, 2, 32}), v = at::randn({L, 2, 32});
  at::Tensor q2 = at::randn({L, 4, 32});
  const void* kept = nullptr;
  {
    const at::Tensor first = cpu->prefill(plan, {q, k, v});
    const at::Tensor first_copy = first.clone();
    {
      const at::Tensor view = first.narrow(0, 0, 3);  // a view alone also keeps the buffer busy
      kept = first.data_ptr();
      const at::Tensor second = cpu->prefill(plan, {q2, k, v});
      EXPECT_NE(second.data_ptr(), kept);
      expect_attention_close(second, ref->prefill(plan, {q2, k, v}), at::kFloat, "second call");
    }
    EXPECT_TRUE(at::equal(first, first_copy)) << "a held output was overwritten";
  }
  const at::Tensor third = cpu->prefill(plan, {q2, k, v});  // nothing holds the first buffer now
  EXPECT_EQ(third.data_ptr(), kept);
  expect_attention_close(third, ref->prefill(plan, {q2, k, v}), at::kFloat, "reused buffer");
}

TEST(FusedExecutor, RegistryAndKernelName) {
  PEVLM_REQUIRE_GEMM_PATH();
  auto cpu = attention::make_executor("cpu");
  EXPECT_EQ(cpu->name(), "cpu");
  EXPECT_NE(cpu->kernel().find("fused_plan_flash_cpu"), std::string::npos) << cpu->kernel();
  EXPECT_NE(cpu->kernel().find("cpublas::brgemm"), std::string::npos) << cpu->kernel();
  auto pieces = attention::make_executor("cpu_pieces");
  EXPECT_EQ(pieces->name(), "cpu_pieces");
  EXPECT_EQ(attention::executor_device_types("cpu_pieces"), std::vector<c10::DeviceType>{c10::DeviceType::CPU});
  EXPECT_EQ(attention::default_executor_for(c10::Device(c10::kCPU)), "cpu");
  const auto names = attention::executor_names();
  EXPECT_NE(std::find(names.begin(), names.end(), "cpu_pieces"), names.end());
#ifdef PEVLM_TEST_FUSED_GEMM
  EXPECT_NE(cpu->kernel().find("bf16xbf16"), std::string::npos) << cpu->kernel();
#endif
}

}  // namespace
}  // namespace pevlm
