// Per-head sparse plans (issue 25): exact pair counts vs the dense per-head masks, validation, the
// XAttention row selection on hand cases, and every sparse executor path against the dense float64
// per-head reference (odd lengths, GQA groups whose heads keep different blocks, fp32 and bf16).
#include <ATen/ATen.h>

#include <array>
#include <limits>
#include <gtest/gtest.h>

#include <random>

#include "attention/executor.h"
#include "attention/executors.h"
#include "attention/sparse_dispatch.h"
#include "methods/method_registry.h"
#include "methods/sparse/sparse_estimator.h"
#include "tests/attention_test_util.h"
#include "tests/random_sparse_plan.h"

namespace pevlm {
namespace {

using testing::random_sparse_plan;

TEST(SparsePlan, PairsAndFlopsEqualDenseMask) {
  for (int64_t L : {1, 37, 128, 301}) {
    const SparsePlan p = random_sparse_plan(L, 3, 32, uint32_t(L));
    for (int64_t h = 0; h < 3; ++h) {
      const std::vector<uint8_t> m = p.dense_mask(h);
      int64_t ones = 0;
      for (uint8_t x : m) ones += x;
      EXPECT_EQ(p.attended_pairs(h), ones) << "L " << L << " head " << h;
      for (int64_t i = 0; i < L; ++i) EXPECT_EQ(m[size_t(i * L + i)], 1) << "diagonal " << i;
    }
    EXPECT_DOUBLE_EQ(p.flops(64), 4.0 * 64 * double(p.attended_pairs()));
  }
  const SparsePlan dense = make_dense_sparse_plan(301, 2, 64);
  EXPECT_EQ(dense.attended_pairs(0), causal_pairs(301));
  EXPECT_DOUBLE_EQ(dense.density(1), 1.0);
}

TEST(SparsePlan, HeadRangesRenderTheSameMask) {
  const SparsePlan p = random_sparse_plan(203, 2, 32, 9);
  for (int64_t h = 0; h < 2; ++h) {
    AttentionPlan a;
    a.length = 203;
    a.positions = PositionIds(1, 203);
    a.queries = sparse_head_ranges(p, h);
    a.decode_keys = {KeyRange{0, 203, false, 0}};
    a.validate();  // causal pieces equal their query block
    EXPECT_EQ(a.dense_mask(), p.dense_mask(h)) << "head " << h;
    EXPECT_EQ(a.attended_pairs(), p.attended_pairs(h));
  }
}

TEST(SparsePlan, ValidateNamesTheBrokenBlock) {
  SparsePlan p("t", 100, 1, 50);
  p.keys(0, 0) = {{0, 50}};
  p.keys(0, 1) = {{0, 10}};  // queries 50..99 miss themselves
  try {
    p.validate();
    FAIL() << "expected a throw";
  } catch (const std::logic_error& e) {
    EXPECT_NE(std::string(e.what()).find("head 0 query block 1"), std::string::npos) << e.what();
  }
}

TEST(SparsePlan, AddIntervalMergesTouchingAndOverlapping) {
  std::vector<KeyInterval> l;
  add_interval(l, 10, 20);
  add_interval(l, 30, 40);
  add_interval(l, 20, 25);
  EXPECT_EQ(l, (std::vector<KeyInterval>{{10, 25}, {30, 40}}));
  add_interval(l, 5, 35);
  EXPECT_EQ(l, (std::vector<KeyInterval>{{5, 40}}));
}

TEST(XAttentionSelect, SmallestPrefixReachingThresholdPlusFirstAndDiagonal) {
  // Row 3 of 5 blocks: masses 0.1 (first), 0.5, 0.05, 0.3 (diagonal), future 0.
  const double row[5] = {0.1, 0.5, 0.05, 0.3, 0.0};
  // Kept mass starts at first + diagonal = 0.4 < 0.9 * 0.95 -> add 0.5 (0.9 >= 0.855) -> stop.
  EXPECT_EQ(xattention_select_row(row, 5, 3, 0.9, true), (std::vector<uint8_t>{1, 1, 0, 1, 0}));
  // tau 0.99: 0.9 < 0.9405 -> add 0.05 too.
  EXPECT_EQ(xattention_select_row(row, 5, 3, 0.99, true), (std::vector<uint8_t>{1, 1, 1, 1, 0}));
  // First chunk: only the diagonal is forced and the test runs one entry late: diagonal (0.3), then
  // 0.5 and 0.1 unconditionally-ish (cum 0, 0.3 < 0.855), 0.05 (cum 0.8 < 0.855) -> all four.
  EXPECT_EQ(xattention_select_row(row, 5, 3, 0.9, false), (std::vector<uint8_t>{1, 1, 1, 1, 0}));
  // Row 0 keeps only block 0.
  const double row0[3] = {1.0, 0.0, 0.0};
  EXPECT_EQ(xattention_select_row(row0, 3, 0, 0.9, false), (std::vector<uint8_t>{1, 0, 0}));
  EXPECT_EQ(xattention_auto_chunk(1000), 2048);
  EXPECT_EQ(xattention_auto_chunk(32768), 8192);
  EXPECT_EQ(xattention_auto_chunk(16384), 16384);
}

TEST(SparseExecutors, GatheredEqualsDensePerHeadReference) {
  at::manual_seed(1);
  auto ref = attention::make_executor("reference");
  for (const char* name : {"cpu", "batched"}) {
    auto ex = attention::make_executor(name);
    EXPECT_NE(ex->sparse_kernel(), std::string()) << name;
    for (int64_t L : {77, 301}) {
      for (at::ScalarType dtype : {at::kFloat, at::kBFloat16}) {
        const int64_t hq = 6, hkv = 2, d = 64;  // GQA groups of 3 heads with different plans
        at::Tensor q = at::randn({L, hq, d}).to(dtype), k = at::randn({L, hkv, d}).to(dtype), v = at::randn({L, hkv, d}).to(dtype);
        const std::vector<SparsePlan> plans = {random_sparse_plan(L, hq, 32, 7), xattention_estimate(q, k, 32, 8, 0.9).plan,
                                               vertical_slash_estimate(q, k, 31, 100, 64).plan, make_dense_sparse_plan(L, hq, 64)};
        for (const SparsePlan& p : plans) {
          at::Tensor want = ref->prefill_sparse(p, {q, k, v});
          at::Tensor got = ex->prefill_sparse(p, {q, k, v});
          testing::expect_attention_close(got, want, dtype, std::string(name) + " " + p.method + " L " + std::to_string(L));
        }
      }
    }
  }
}

// Blocks and scattered single columns (vertical-slash's verticals) both run in the fused kernel:
// columns through each head's gathered column region, odd column positions on the bf16 pairs path.
TEST(SparseExecutors, CpuRunsBlocksAndColumnsInTheFusedKernel) {
  at::manual_seed(3);
  const int64_t L = 333, hq = 4, hkv = 2, d = 64;
  for (at::ScalarType dtype : {at::kFloat, at::kBFloat16}) {
    at::Tensor q = at::randn({L, hq, d}).to(dtype), k = at::randn({L, hkv, d}).to(dtype), v = at::randn({L, hkv, d}).to(dtype);
    auto cpu = attention::make_executor("cpu"), ref = attention::make_executor("reference");
    const SparsePlan blocks = make_forced_density_plan(L, hq, 64, 0.5, 3);
    testing::expect_attention_close(cpu->prefill_sparse(blocks, {q, k, v}), ref->prefill_sparse(blocks, {q, k, v}), dtype, "blocks");
    EXPECT_NE(cpu->sparse_kernel().find("fused"), std::string::npos) << cpu->sparse_kernel();
    SparsePlan cols("columns", L, hq, 64);
    for (int64_t h = 0; h < hq; ++h)
      for (int64_t b = 0; b < cols.num_query_blocks(); ++b) {
        for (int64_t c = h; c < cols.block_begin(b); c += 7 + b % 3) add_interval(cols.keys(h, b), c, c + 1);
        add_interval(cols.keys(h, b), cols.block_begin(b), cols.block_end(b));
      }
    testing::expect_attention_close(cpu->prefill_sparse(cols, {q, k, v}), ref->prefill_sparse(cols, {q, k, v}), dtype, "columns");
    EXPECT_NE(cpu->sparse_kernel().find("column regions"), std::string::npos) << cpu->sparse_kernel();
  }
}

TEST(SparseExecutors, GqaHeadsOfOneGroupKeepDifferentBlocks) {
  at::manual_seed(2);
  const int64_t L = 256, hq = 4, hkv = 1, d = 32;
  // Head 0 of the group looks at the first 8 keys, head 1 at keys ~100, heads 2/3 locally.
  at::Tensor k = at::randn({L, hkv, d}) * 0.1, q = at::randn({L, hq, d}) * 0.1;
  k.narrow(0, 0, 8).select(1, 0).select(1, 0).fill_(6.0);
  k.narrow(0, 100, 8).select(1, 0).select(1, 1).fill_(6.0);
  q.select(1, 0).select(1, 0).fill_(6.0);
  q.select(1, 1).select(1, 1).fill_(6.0);
  const SparsePlan p = xattention_estimate(q, k, 32, 8, 0.9).plan;
  EXPECT_NE(p.keys(0, 7), p.keys(1, 7));
  auto ref = attention::make_executor("reference"), cpu = attention::make_executor("cpu");
  at::Tensor v = at::randn({L, hkv, d});
  testing::expect_attention_close(cpu->prefill_sparse(p, {q, k, v}), ref->prefill_sparse(p, {q, k, v}), at::kFloat, "gqa");
}

// bf16 products (bf16 inputs where the device's bf16 GEMM is fast, attention/sparse_dispatch.h)
// compute the same block scores as fp32 products within bf16 rounding of the scaled logits, and are
// refused for fp32 inputs (no silent precision change).
TEST(XAttentionProducts, Bf16ProductsMatchFp32BlockSumsWithinBf16Rounding) {
  at::manual_seed(5);
  const int64_t L = 777, hq = 4, hkv = 2, d = 64;
  const at::Tensor q = at::randn({L, hq, d}).to(at::kBFloat16), k = at::randn({L, hkv, d}).to(at::kBFloat16);
  const at::Tensor f32 = xattention_block_sums(q.to(at::kFloat), k.to(at::kFloat), 64, 8, EstimatorProducts::F32);
  const at::Tensor b16 = xattention_block_sums(q, k, 64, 8, EstimatorProducts::Bf16);
  // Each probability moves by about |logit| x 2^-8 relative (one bf16 rounding of the scaled logit);
  // a block score sums rb = 8 rows of such probabilities.
  // |logit| <= S max|q| max|k| / (sqrt(d) S) by Cauchy-Schwarz over the S concatenated rows.
  const double logit = q.to(at::kFloat).norm(2, -1).max().item<double>() * k.to(at::kFloat).norm(2, -1).max().item<double>() / std::sqrt(double(d));
  const double tol = 8.0 * std::max(1.0, logit) * std::ldexp(1.0, -8);
  EXPECT_LE((b16 - f32).abs().max().item<double>(), tol);
  EXPECT_GT(f32.sum().item<double>(), 0.0);
  EXPECT_THROW(xattention_block_sums(q.to(at::kFloat), k.to(at::kFloat), 64, 8, EstimatorProducts::Bf16), std::invalid_argument);
  EXPECT_EQ(xattention_estimate(q, k, 64, 8, 0.9, 0, EstimatorProducts::Bf16).products, EstimatorProducts::Bf16);
  // The dispatch picks fp32 products for fp32 inputs on every device.
  EXPECT_EQ(attention::estimator_products_for(q.to(at::kFloat)), EstimatorProducts::F32);
}

// The block sums against a dense transcription of xattn_estimate's antidiagonal scoring
// (Xattention.py: pad to whole blocks, K' row j = K[jS..jS+S) concatenated, Q' row i = Q[iS+S-1..iS]
// (reverse offset), softmax of Q'K'^T / sqrt(D) / S causal at the reduced resolution, padding rows
// zeroed, sums over (B/S) x (B/S) tiles): lengths that are not multiples of S or B, several chunks,
// GQA groups. fp32 products; the two only differ in summation order.
TEST(XAttentionBlockSums, EqualTheReferenceAntidiagonalScoring) {
  at::manual_seed(11);
  for (const auto& [L, hq, hkv, block, stride] : std::vector<std::array<int64_t, 5>>{{777, 6, 2, 64, 16}, {1000, 4, 1, 128, 8}, {5000, 2, 2, 128, 16}}) {
    const int64_t d = 32, nb = (L + block - 1) / block, padded = nb * block, lr = padded / stride, rb = block / stride;
    const at::Tensor q = at::randn({L, hq, d}), k = at::randn({L, hkv, d});
    const at::Tensor ours = xattention_block_sums(q, k, block, stride, EstimatorProducts::F32);
    const at::Tensor pad_q = at::constant_pad_nd(q.permute({1, 0, 2}), {0, 0, 0, padded - L});  // [Hq, padded, d]
    const at::Tensor pad_k = at::constant_pad_nd(k.permute({1, 0, 2}), {0, 0, 0, padded - L});
    const at::Tensor qr = pad_q.view({hq, lr, stride, d}).flip({2}).reshape({hq, lr, stride * d});
    const at::Tensor kr = pad_k.view({hkv, lr, stride * d}).repeat_interleave(hq / hkv, 0);
    at::Tensor s = at::matmul(qr, kr.transpose(1, 2)) / std::sqrt(double(d)) / double(stride);
    s = s.masked_fill(at::ones({lr, lr}, at::kBool).triu(1), -std::numeric_limits<float>::infinity());
    at::Tensor a = at::softmax(s, -1);
    a.narrow(1, (L + stride - 1) / stride, lr - (L + stride - 1) / stride).zero_();
    const at::Tensor ref = a.view({hq, nb, rb, nb, rb}).sum({2, 4});
    EXPECT_TRUE(at::allclose(ours, ref, 1e-5, 1e-6)) << "L " << L << " max diff " << (ours - ref).abs().max().item<double>();
  }
}

TEST(SparseDispatch, DataDependentPlansNeverRunDense) {
  const TokenLayout layout = make_synthetic_layout(SyntheticLayoutSpec{5, 3, 40, 7, false, 1, 40, 1});
  const AttentionPlan plan = build_plan(resolve_method({{"name", "xattention"}, {"block_tokens", 32}, {"stride", 8}}), layout);
  ASSERT_TRUE(plan.data_dependent);
  const int64_t L = layout.length;
  at::Tensor q = at::randn({L, 2, 32}), k = at::randn({L, 2, 32}), v = at::randn({L, 2, 32});
  for (const char* name : {"reference", "cpu", "cpu_pieces", "batched"})
    EXPECT_THROW(attention::make_executor(name)->prefill(plan, {q, k, v}), std::invalid_argument) << name;
  EXPECT_THROW(attention::make_executor("cpu_pieces")->prefill_sparse(make_dense_sparse_plan(L, 2, 32), {q, k, v}),
               std::invalid_argument);
  auto cpu = attention::make_executor("cpu");
  attention::SparseLog log;
  at::Tensor out = attention::run_prefill(*cpu, plan, {q, k, v}, &log);
  ASSERT_EQ(log.layers.size(), 1u);
  EXPECT_GT(log.layers[0].estimator_flops, 0);
  EXPECT_LE(log.layers[0].density_max, 1.0);
  EXPECT_EQ(log.kernel, cpu->sparse_kernel());
  EXPECT_EQ(log.estimator_products, "fp32");  // fp32 inputs
  EXPECT_EQ(log.to_json().at("estimator_products"), "fp32");
  const SparsePlan sp = xattention_estimate(q, k, 32, 8, 0.9).plan;
  testing::expect_attention_close(out, attention::make_executor("reference")->prefill_sparse(sp, {q, k, v}), at::kFloat,
                                  "dispatch");
  // Static plans still go to Executor::prefill.
  const AttentionPlan full = build_plan(resolve_method({{"name", "full"}}), layout);
  EXPECT_NO_THROW(attention::run_prefill(*cpu, full, {q, k, v}, &log));
  EXPECT_EQ(log.layers.size(), 1u);
}

TEST(SparseMethods, ParametersAreChecked) {
  const TokenLayout layout = make_synthetic_layout(SyntheticLayoutSpec{5, 2, 16, 7, false, 1, 16, 1});
  EXPECT_THROW(build_plan(resolve_method({{"name", "xattention"}, {"stride", 7}}), layout), std::invalid_argument);
  EXPECT_THROW(build_plan(resolve_method({{"name", "xattention"}, {"threshold", 1.5}}), layout), std::invalid_argument);
  EXPECT_THROW(build_plan(resolve_method({{"name", "vertical_slash"}, {"slash_size", 60}}), layout), std::invalid_argument);
  const AttentionPlan p = build_plan(resolve_method({{"name", "vertical_slash"}}), layout);
  EXPECT_EQ(p.params["vertical_size"], 1000);
  EXPECT_EQ(p.params["slash_size"], 6096);
  EXPECT_EQ(p.params["last_q"], 64);
  EXPECT_EQ(p.positions, layout.positions);  // full-attention positions kept
}

}  // namespace
}  // namespace pevlm
