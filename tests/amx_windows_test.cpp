// Our AMX PV micro-kernel for gathered sparse windows (attention/fused/amx_windows.h) against a float64
// product of the same bf16 values: chunks of even and odd multiples of 16 keys (the zero-padded tail
// step), a chunk ending at the last packed key, 16 / 48 / 64 rows (an odd number of row tiles),
// overwrite and accumulate. The 16 P columns past the window hold finite garbage the tail step must
// cancel, everything past them and every V key outside the chunks is NaN, so a read outside the
// contract shows up in the result. Runs where AMX runs; elsewhere the kernel is never called
// (fused_kernel.cpp takes cpublas::brgemm) and the test says so. The choice rule is tested everywhere.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "attention/fused/amx_windows.h"
#include "attention/fused/tile_gemm.h"

namespace pevlm {
namespace {

using namespace attention::fused;

TEST(AmxWindowsChoice, EnvironmentSwitchAndAvailability) {
  EXPECT_TRUE(choose_amx_windows(true, "amx ok", nullptr).on);
  EXPECT_TRUE(choose_amx_windows(true, "amx ok", "1").on);
  const AmxWindowsChoice off = choose_amx_windows(true, "amx ok", "0");
  EXPECT_FALSE(off.on);
  EXPECT_NE(off.reason.find("PEVLM_FUSED_AMX=0"), std::string::npos) << off.reason;
  const AmxWindowsChoice none = choose_amx_windows(false, "CPU without amx-tile/amx-bf16", nullptr);
  EXPECT_FALSE(none.on);
  EXPECT_NE(none.reason.find("amx-tile"), std::string::npos) << none.reason;
  EXPECT_THROW(choose_amx_windows(false, "no amx", "1"), std::runtime_error);  // demanded where it cannot run
  try {
    choose_amx_windows(true, "amx ok", "yes");
    FAIL() << "an unknown value must be an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("expected 0 (off), 1 (on)"), std::string::npos) << e.what();
  }
}

TEST(AmxWindowsShape, RowsDimsAndChunkGrid) {
  const std::vector<WindowChunk> ok = {{16, 48, 0}, {96, 32, 48}};
  EXPECT_TRUE(amx_window_shape_ok(64, 128, ok));
  EXPECT_FALSE(amx_window_shape_ok(40, 128, ok));  // rows not a multiple of 16
  EXPECT_FALSE(amx_window_shape_ok(64, 80, ok));   // D not a multiple of 32
  EXPECT_FALSE(amx_window_shape_ok(64, 128, {{18, 48, 0}}));  // start off the 16-key grid
  EXPECT_FALSE(amx_window_shape_ok(64, 128, {{16, 40, 0}}));  // width not a multiple of 16
  // Worth it for several short chunks only.
  EXPECT_TRUE(amx_pv_suits(64, 128, ok));
  EXPECT_FALSE(amx_pv_suits(64, 128, {{16, 48, 0}}));                          // one chunk: one brgemm call
  EXPECT_FALSE(amx_pv_suits(64, 128, {{0, 512, 0}, {1024, 512, 512}}));        // long chunks
  EXPECT_TRUE(amx_pv_suits(64, 128, {{0, 256, 0}, {1024, 256, 256}}));
  EXPECT_FALSE(amx_pv_suits(40, 128, ok));
}

// O[r, x] = sum over chunks, keys j of the chunk: P[r, s_col + j] * V[packed + j, x], in float64
// (`abs`: the same sum of |P| |V|, for the error bound).
at::Tensor reference_pv(const at::Tensor& p_rows, const at::Tensor& v_keys, const std::vector<WindowChunk>& chunks, bool abs) {
  at::Tensor o = at::zeros({p_rows.size(0), v_keys.size(1)}, at::kDouble);
  for (const WindowChunk& c : chunks) {
    at::Tensor a = p_rows.narrow(1, c.s_col, c.cols).to(at::kDouble), b = v_keys.narrow(0, c.packed, c.cols).to(at::kDouble);
    o += abs ? at::matmul(a.abs(), b.abs()) : at::matmul(a, b);
  }
  return o;
}

TEST(AmxPvWindow, MatchesFloat64ProductOfTheSameBf16Values) {
  if (!amx_available()) GTEST_SKIP() << "AMX not available here (" << amx_reason() << "): the fused kernel uses cpublas::brgemm instead";
  at::manual_seed(5);
  const int64_t keys = 400, d = 128, ld = 352;  // P rows: window columns + padding + poison
  const float nan = std::numeric_limits<float>::quiet_NaN();
  // Chunks: widths 48 (odd x16: tail), 64, 16 (tail only), 32, and 16 ending at the last key.
  const std::vector<WindowChunk> chunks = {{32, 48, 0}, {128, 64, 48}, {256, 16, 112}, {288, 32, 128}, {384, 16, 160}};
  const int64_t cols = 176;
  at::Tensor v_keys = at::randn({keys, d}).to(at::kBFloat16);
  // Keys outside every chunk are NaN: reading one with a nonzero P would poison the output.
  at::Tensor v_poisoned = at::full({keys, d}, nan).to(at::kBFloat16);
  for (const WindowChunk& c : chunks) v_poisoned.narrow(0, c.packed, c.cols).copy_(v_keys.narrow(0, c.packed, c.cols));
  const PackedKv kv = pack_kv(v_poisoned.view({keys, 1, d}), v_poisoned.view({keys, 1, d}), GemmPath::Bf16Vnni,
                              single_piece_layout(keys));
  ASSERT_EQ(kv.lp, keys);
  const auto* v_head = kv.v.const_data_ptr<c10::BFloat16>();
  for (int64_t rows : {16, 48, 64}) {
    at::Tensor p = at::full({rows, ld}, nan).to(at::kBFloat16);
    p.narrow(1, 0, cols).copy_(at::rand({rows, cols}).to(at::kBFloat16));
    p.narrow(1, cols, kAmxPvPadColumns).fill_(7.0);  // finite garbage the tail steps must cancel
    const at::Tensor want = reference_pv(p.narrow(1, 0, cols), v_keys, chunks, false);
    // bf16 x bf16 products are exact in fp32; the fp32 sums of 2 x cols terms in any order are off by
    // at most 2 cols u sum |terms| (u = 2^-24).
    const at::Tensor bound = reference_pv(p.narrow(1, 0, cols), v_keys, chunks, true) * (2.0 * 2.0 * double(cols) * std::ldexp(1.0, -24));
    AmxPvScratch scratch;
    std::vector<float> o(size_t(rows * d), nan);  // overwritten, never read
    amx_pv_window(p.const_data_ptr<c10::BFloat16>(), ld, rows, v_head, d, chunks, o.data(), false, scratch);
    amx_pv_window(p.const_data_ptr<c10::BFloat16>(), ld, rows, v_head, d, chunks, o.data(), true, scratch);  // adds once more
    amx_release();
    const at::Tensor got = at::from_blob(o.data(), {rows, d}, at::kFloat).to(at::kDouble);
    EXPECT_TRUE(((got - 2.0 * want).abs() <= bound).all().item<bool>())
        << "rows " << rows << ": max error " << (got - 2.0 * want).abs().max().item<double>() << ", bound " << bound.max().item<double>();
    EXPECT_FALSE(std::isnan(got.sum().item<double>())) << "rows " << rows << ": read outside the chunks or past the padding";
  }
}

}  // namespace
}  // namespace pevlm
