#include "attention/fused/fused_kernel.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>

#include "attention/fused/amx_windows.h"
#include "attention/fused/group_combine.h"
#include "attention/fused/key_windows.h"
#include "attention/fused/tile_rows.h"
#include "attention/fused/tile_softmax.h"
#include "attention/parallel_for.h"

namespace pevlm::attention::fused {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();
constexpr int64_t kDiagonalChunkTokens = 16;
constexpr int64_t kWideWindowKeys = 1120;
constexpr int64_t kDiagonalChunkMinRows = 64;

// Per-thread buffers, sized once for the largest tile (O(tile), independent of L). `state_rows`: the
// rows of an item's Q and running state (max, sum, O): max_rows, or more for items of several
// one-head segments (WorkItem::heads), whose windows still run one head (<= max_rows rows) at a time.
struct Scratch {
  Scratch(int64_t max_rows, int64_t state_rows, int64_t d, int64_t groups)
      : q(size_t(state_rows * d)), s(size_t(max_rows * kKeyTile)), p_bf16(size_t(max_rows * kKeyTile + kAmxPvPadColumns)),
        o(size_t(groups * state_rows * d)), row_max(size_t(groups * state_rows)), row_sum(size_t(groups * state_rows)),
        lo(size_t(max_rows)), hi(size_t(max_rows)) {}
  std::vector<float> q;  // Q tile: fp32, or bf16 in the first half
  std::vector<float> s;
  std::vector<at::BFloat16> p_bf16;  // zero-initialised: the AMX PV reads past a window's last column (amx_windows.h)
  std::vector<float> o, row_max, row_sum;
  std::vector<int32_t> lo, hi;  // lo stays 0: windows start at their range (key_layout.h)
  AmxPvScratch amx_pv;
  // Our AMX tiles ran since libtorch's brgemm last did: release them first, which also makes
  // cpublas::brgemm reconfigure (it skips its tile setup when its own kernel was the last one used).
  bool amx_dirty = false;
};

// The query heads of one work item: a GQA-stacked tile (hpg heads of one KV head, row r = token
// r / hpg, head head0 + r % hpg) or one head of a per-head sparse plan (hpg 1).
struct ItemHeads {
  int64_t hpg = 1, head0 = 0;
};

// One segment of a work item: its heads, where its rows start in the item's Q / state rows, its
// windows and how many of them have run.
struct SegmentRun {
  const Segment* seg = nullptr;
  ItemHeads ih;
  int64_t row0 = 0, rows = 0;
  std::vector<KeyWindow> windows;
  size_t next = 0;
  bool written[8] = {};  // group's accumulators initialised (its first window overwrites them)
};

// Where a window's keys start in the packed K/V: the order an item of several heads interleaves them.
int64_t window_start(const KeyWindow& w) { return w.chunks.front().packed; }

class Kernel {
 public:
  Kernel(const KernelInputs& in, const std::vector<Segment>& segments)
      : in_(in), segs_(segments), hq_(in.q_LHD.size(1)), d_(in.q_LHD.size(2)), hkv_(in.kv->kv_heads),
        hpg_(hq_ / hkv_), groups_(int64_t(in.groups->size())),
        max_rows_(std::max(query_tile_tokens(hpg_, kTargetRows) * hpg_, kTargetRows)), state_rows_(state_rows(segments)),
        bf16_gemm_(in.kv->path == GemmPath::Bf16Vnni),
        amx_(in.amx_windows && bf16_gemm_ && in.layout->uncut),
        softmax_(softmax_tile_fn()), rows_(row_ops()) {}

  void run() {
    const std::vector<WorkItem> items = make_work_items(segs_, hkv_, hpg_, kTargetRows);
    std::atomic<size_t> next{0};
    const int64_t threads = std::max<int64_t>(1, std::min<int64_t>(at::get_num_threads(), int64_t(items.size())));
    at::parallel_for(0, threads, 1, [&](int64_t, int64_t) {
      Scratch sc(max_rows_, state_rows_, d_, groups_);
      for (size_t i = next++; i < items.size(); i = next++) run_item(items[i], sc);
      gemm_release(in_.kv->path);
      rows_.fence();
    });
  }

 private:
  // Rows of Q and running state an item needs (Scratch): a GQA-stacked tile's, or a group of one-head
  // segments' (WorkItem::heads: at most heads_per_kv x kHeadGroupMaxRows).
  int64_t state_rows(const std::vector<Segment>& segments) const {
    for (const Segment& s : segments)
      if (s.q_head >= 0) return std::max(max_rows_, hpg_ * kHeadGroupMaxRows);
    return max_rows_;
  }

  ItemHeads heads_of(const Segment& seg, const WorkItem& it) const {
    return seg.q_head >= 0 ? ItemHeads{1, seg.q_head} : ItemHeads{hpg_, int64_t(it.kv_head) * hpg_};
  }

  // Q rows of the tile (ItemHeads) from state row `row0` on, in the GEMM's dtype (bf16 inputs
  // up-converted once per tile on the fp32 path).
  void load_q(const WorkItem& it, const ItemHeads& ih, int64_t row0, Scratch& sc) const {
    const int64_t rows = (it.t1 - it.t0) * ih.hpg;
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t t = it.t0 + r / ih.hpg, h = ih.head0 + r % ih.hpg, src = (t * hq_ + h) * d_, dst = (row0 + r) * d_;
      if (in_.q_LHD.scalar_type() == at::kFloat) {
        std::copy_n(in_.q_LHD.const_data_ptr<float>() + src, d_, sc.q.data() + dst);
      } else if (bf16_gemm_) {
        std::copy_n(in_.q_LHD.const_data_ptr<at::BFloat16>() + src, d_, reinterpret_cast<at::BFloat16*>(sc.q.data()) + dst);
      } else {
        rows_.to_float(in_.q_LHD.const_data_ptr<at::BFloat16>() + src, sc.q.data() + dst, d_);
      }
    }
  }

  void run_item(const WorkItem& it, Scratch& sc) const {
    std::fill(sc.row_max.begin(), sc.row_max.end(), kNegInf);
    std::fill(sc.row_sum.begin(), sc.row_sum.end(), 0.0f);
    // Windows (key_windows.h): gathered non-causal ranges and columns, then the causal ranges, each
    // window at most kKeyTile keys -- equal windows, so a 532-key sink is one window rather than
    // 512 + a 20-key remainder that would run the GEMMs at a fraction of their rate.
    std::vector<SegmentRun> runs(size_t(it.heads));
    int64_t row0 = 0;
    for (size_t i = 0; i < runs.size(); ++i) {
      SegmentRun& r = runs[i];
      r.seg = &segs_[size_t(it.segment) + i];
      r.ih = heads_of(*r.seg, it);
      r.row0 = row0, r.rows = (it.t1 - it.t0) * r.ih.hpg;
      row0 += r.rows;
      load_q(it, r.ih, r.row0, sc);
    }
    const int64_t last_pos = runs[0].seg->pos0 + (it.t1 - 1 - runs[0].seg->q_begin);
    const int64_t max_cols = in_.layout->uncut ? window_keys(runs[0].rows) : kKeyTile;
    for (SegmentRun& r : runs) r.windows = plan_key_windows(*r.seg, *in_.layout, last_pos, bf16_gemm_, max_cols);
    // Several heads (WorkItem::heads): each head's windows in its own order, the heads interleaved by
    // where the next window's keys start, so the heads walk the keys together and a chunk one head
    // brought into L2 is more often still there when the next head reads it (vertical-slash at 32k
    // keeps ~84 % of its pairs on keys all 7 heads of a group keep; XAttention's selections overlap
    // too). Measured (7-head 7B slice, bf16, 32k, planted Q/K, AMX, min of 8-12 interleaved in one
    // process): vertical-slash's kernel 1075 / 1087 / 1128 -> 1014 / 1003 / 1108 ms, XAttention's
    // 721-727 -> 707 ms. Cutting every head's windows at common key positions (so window i of each
    // head covers the same keys) measured no better and is not done. The rows of each head see
    // exactly the windows, in the order, they would alone: the results are the same bits
    // (tests/fused_head_groups_test.cpp).
    for (;;) {
      SegmentRun* next = nullptr;
      for (SegmentRun& r : runs)
        if (r.next < r.windows.size() && (!next || window_start(r.windows[r.next]) < window_start(next->windows[next->next])))
          next = &r;
      if (!next) break;
      const KeyWindow& w = next->windows[next->next++];
      const float scale = float(in_.scale / (*in_.groups)[size_t(w.group)].temperature);
      run_window(it, *next, w, scale, next->written[w.group], sc);
    }
    for (const SegmentRun& r : runs)
      if (!r.seg->discard) write_output(it, r, sc);
  }

  // Keys per window on an uncut layout (per-head sparse plans; cut layouts keep kKeyTile): kKeyTile for
  // a full tile; a shorter tile (a one-head segment's 64- or 128-row query block) gets proportionally
  // wider windows in the same S buffer, at most kWideWindowKeys --
  // fewer softmax steps and GEMM calls per query block. Measured (7-head 7B slice, bf16, 32k, AMX,
  // three interleaved runs each): 128-row blocks 2-3 % faster with 1120-key windows than with 640
  // (XAttention, forced density 10 / 30 %); 64-row blocks (vertical-slash) unchanged at 1120 and
  // 3.5 % slower at 2048.
  int64_t window_keys(int64_t rows) const {
    if (rows >= kTargetRows) return kKeyTile;
    return std::min<int64_t>(kWideWindowKeys, (kTargetRows * kKeyTile / std::max<int64_t>(rows, 1)) & ~int64_t(15));
  }

  // One window. Causal windows run in 16-token row chunks, each only as wide as its last query
  // needs: the diagonal then costs ~8 masked keys per query instead of ~16 with 32-token rectangles
  // (~0.8 % of a sys+2f/4f prefill).
  void run_window(const WorkItem& it, const SegmentRun& run, const KeyWindow& w, float scale, bool& written, Scratch& sc) const {
    const Segment& seg = *run.seg;
    const ItemHeads& ih = run.ih;
    const int64_t g = w.group, n = w.cols, ld = w.ld, rows = run.rows, row0 = run.row0;
    for (int64_t r = 0; r < rows; ++r) {
      int64_t hi = n;
      if (w.causal) {
        const int64_t pos = seg.pos0 + (it.t0 + r / ih.hpg - seg.q_begin);
        hi = std::max<int64_t>(0, std::min(w.causal_cols, pos + 1 - w.causal_key0));
      }
      sc.hi[size_t(r)] = int32_t(hi);
      sc.lo[size_t(r)] = w.lead;
    }
    // One-head segments (per-head sparse plans) chunk their diagonal by at least 64 rows: a 128-row
    // query block then runs it in 2 chunks, not 8 of 16 rows (-3.5 % at 10 % kept, 32k). GQA-stacked
    // tiles keep 16-token chunks.
    const int64_t chunk_tokens = kDiagonalChunkTokens * ih.hpg;
    const int64_t chunk_rows = !w.causal ? rows : seg.q_head >= 0 ? std::max(chunk_tokens, kDiagonalChunkMinRows) : chunk_tokens;
    float* o = sc.o.data() + (g * state_rows_ + row0) * d_;
    brgemm_ready(sc);  // every window starts with QK^T on cpublas::brgemm
    if (w.causal) {
      const WindowChunk& c = w.chunks.front();
      for (int64_t r0 = 0; r0 < rows; r0 += chunk_rows) {
        const int64_t m = std::min(chunk_rows, rows - r0), nc = even_for_path(sc.hi[size_t(r0 + m - 1)]);
        if (nc > 0) gemm_qk(*in_.kv, it.kv_head, c.packed, m, nc, q_row(sc, row0 + r0), sc.s.data() + r0 * ld, ld);
      }
    } else {
      for (const WindowChunk& c : w.chunks) gemm_qk(*in_.kv, it.kv_head, c.packed, rows, c.cols, q_row(sc, row0), sc.s.data() + c.s_col, ld);
      for (int64_t r = 0; r < rows; ++r)
        for (int32_t col : w.masked) sc.s[size_t(r * ld + col)] = kNegInf;
    }
    SoftmaxTile t;
    t.s = sc.s.data(), t.m = rows, t.n = n, t.ld = ld, t.lo = sc.lo.data(), t.hi = sc.hi.data(), t.scale = scale;
    t.row_max = sc.row_max.data() + g * state_rows_ + row0, t.row_sum = sc.row_sum.data() + g * state_rows_ + row0;
    t.o = o, t.d = d_;
    t.p = bf16_gemm_ ? static_cast<void*>(sc.p_bf16.data()) : static_cast<void*>(sc.s.data()), t.p_bf16 = bf16_gemm_;
    softmax_(t);
    const size_t p_elem = bf16_gemm_ ? sizeof(at::BFloat16) : sizeof(float);
    const char* p = static_cast<const char*>(t.p);
    if (w.causal) {
      const WindowChunk& c = w.chunks.front();
      for (int64_t r0 = 0; r0 < rows; r0 += chunk_rows) {
        const int64_t m = std::min(chunk_rows, rows - r0), nc = even_for_path(sc.hi[size_t(r0 + m - 1)]);
        if (nc > 0) gemm_pv(*in_.kv, it.kv_head, c.packed, m, nc, p + size_t(r0 * ld) * p_elem, ld, o + r0 * d_, written);
        else if (!written) std::fill(o + r0 * d_, o + (r0 + m) * d_, 0.0f);  // rows with no key yet: O = 0
      }
    } else if (amx_ && amx_pv_suits(rows, d_, w.chunks)) {  // O kept in AMX tiles across the chunks
      amx_pv_window(static_cast<const c10::BFloat16*>(t.p), ld, rows, v_head(it.kv_head), d_, w.chunks, o, written, sc.amx_pv);
      sc.amx_dirty = true;
    } else {
      bool acc = written;
      for (const WindowChunk& c : w.chunks) {
        gemm_pv(*in_.kv, it.kv_head, c.packed, rows, c.cols, p + size_t(c.s_col) * p_elem, ld, o, acc);
        acc = true;
      }
    }
    written = true;
  }

  // Before libtorch's brgemm: release our AMX tiles if they ran (Scratch::amx_dirty). Only the PV of a
  // window runs them, so a window's QK^T is the first brgemm after them.
  static void brgemm_ready(Scratch& sc) {
    if (!sc.amx_dirty) return;
    gemm_release(GemmPath::Bf16Vnni);
    sc.amx_dirty = false;
  }
  const c10::BFloat16* v_head(int64_t h) const { return in_.kv->v.const_data_ptr<c10::BFloat16>() + h * in_.kv->lp * in_.kv->d; }

  // Window widths on the bf16 VNNI path are even (key pairs); the extra key is masked and lies in the
  // piece's zero padding or is the next key of the piece.
  int64_t even_for_path(int64_t n) const { return bf16_gemm_ ? (n + 1) & ~int64_t(1) : n; }

  const void* q_row(const Scratch& sc, int64_t r) const {
    return bf16_gemm_ ? static_cast<const void*>(reinterpret_cast<const at::BFloat16*>(sc.q.data()) + r * d_)
                      : static_cast<const void*>(sc.q.data() + r * d_);
  }

  // Group combination (group_combine.h) and the store in the output dtype.
  void write_output(const WorkItem& it, const SegmentRun& run, Scratch& sc) const {
    const ItemHeads& ih = run.ih;
    const bool out_bf16 = in_.out_LHD.scalar_type() != at::kFloat;
    char* out = static_cast<char*>(in_.out_LHD.data_ptr());
    const int64_t elem = out_bf16 ? 2 : 4;
    for (int64_t r = 0; r < run.rows; ++r) {
      float coef[8];
      int64_t used[8];
      const float* o[8];
      const int64_t sr = run.row0 + r;
      const int64_t n = group_coefficients(sc.row_max.data() + sr, sc.row_sum.data() + sr, state_rows_, *in_.groups, coef, used);
      for (int64_t k = 0; k < n; ++k) o[k] = sc.o.data() + (used[k] * state_rows_ + sr) * d_;
      const int64_t t = it.t0 + r / ih.hpg, dst = (t * hq_ + ih.head0 + r % ih.hpg) * d_;
      rows_.combine_store(o, coef, n, d_, out + dst * elem, out_bf16);
    }
  }

  const KernelInputs& in_;
  const std::vector<Segment>& segs_;
  const int64_t hq_, d_, hkv_, hpg_, groups_, max_rows_, state_rows_;
  const bool bf16_gemm_, amx_;
  const SoftmaxTileFn softmax_;
  const RowOps& rows_;
};

}  // namespace

void run_fused(const KernelInputs& in, const std::vector<Segment>& segments) {
  TORCH_CHECK(in.groups->size() <= 8, "fused attention: at most 8 logit groups");
  Kernel(in, segments).run();
}

}  // namespace pevlm::attention::fused
