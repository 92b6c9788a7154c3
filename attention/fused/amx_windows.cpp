// Compiled with -mamx-tile -mamx-bf16 (attention/fused/fused.cmake); only called where amx_available().
#include "attention/fused/amx_windows.h"

#include "attention/cpu_caps.h"

#include <immintrin.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace pevlm::attention::fused {
namespace {

// Linux: a process must ask for the AMX tile-data state before its first tile instruction
// (Documentation/arch/x86/xstate.rst).
constexpr int kArchReqXcompPerm = 0x1023;
constexpr int kXfeatureXtiledata = 18;

struct AmxState {
  bool ok = false;
  std::string reason;
};

const AmxState& amx_state() {
  static const AmxState s = [] {
    AmxState st;
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("amx-tile") || !__builtin_cpu_supports("amx-bf16")) {
      st.reason = "CPU without amx-tile/amx-bf16";
      return st;
    }
    // The libraries' own switch too (ONEDNN_MAX_CPU_ISA, scripts/with-cpu-level): a run capped below AMX
    // runs what a CPU without AMX runs, ours included.
    if (!attention::cpu_caps().bf16_vnni_brgemm) {
      st.reason = "AMX capped off for the libraries (" + attention::cpu_caps().bf16_vnni_reason + ")";
      return st;
    }
    if (syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) != 0) {
      st.reason = "Linux refused the AMX tile-data permission (arch_prctl ARCH_REQ_XCOMP_PERM)";
      return st;
    }
    st.ok = true;
    st.reason = "amx-tile + amx-bf16, tile data granted";
    return st;
  }();
  return s;
}

// palette 1, every tile 16 rows x 64 bytes.
struct alignas(64) TileConfig {
  uint8_t palette_id = 1, start_row = 0;
  uint8_t reserved[14] = {};
  uint16_t colsb[16] = {};
  uint8_t rows[16] = {};
};

void configure_tiles() {
  TileConfig c;
  for (int t = 0; t < 8; ++t) c.colsb[t] = 64, c.rows[t] = 16;
  _tile_loadconfig(&c);
}

// Tile registers: C blocks 0-3 (C[i][j] = tile 2i + j), A 4-5, B 6-7.
constexpr int64_t kT = 16;  // rows of a tile; fp32 columns of a C tile; key pairs of a B tile

}  // namespace

bool amx_available() { return amx_state().ok; }
const std::string& amx_reason() { return amx_state().reason; }

AmxWindowsChoice choose_amx_windows(bool amx_ok, const std::string& amx_why, const char* env) {
  AmxWindowsChoice c;
  const std::string v = env ? env : "";
  if (!v.empty() && v != "0" && v != "1")
    throw std::invalid_argument("PEVLM_FUSED_AMX='" + v + "': expected 0 (off), 1 (on) or unset (on where AMX runs)");
  if (v == "0") {
    c.reason = "off by PEVLM_FUSED_AMX=0";
    return c;
  }
  if (!amx_ok) {
    if (v == "1") throw std::runtime_error("PEVLM_FUSED_AMX=1: AMX cannot run here (" + amx_why + ")");
    c.reason = "unavailable: " + amx_why;
    return c;
  }
  c.on = true;
  c.reason = amx_why;
  return c;
}

const AmxWindowsChoice& amx_windows_choice() {
  static const AmxWindowsChoice c = choose_amx_windows(amx_available(), amx_reason(), std::getenv("PEVLM_FUSED_AMX"));
  return c;
}

bool amx_window_shape_ok(int64_t rows, int64_t d, const std::vector<WindowChunk>& chunks) {
  if (rows <= 0 || rows % kT != 0 || d % 32 != 0) return false;
  for (const WindowChunk& c : chunks)
    if (c.cols % kT != 0 || c.packed % kT != 0) return false;
  return true;
}

bool amx_pv_suits(int64_t rows, int64_t d, const std::vector<WindowChunk>& chunks) {
  if (chunks.size() < 2 || !amx_window_shape_ok(rows, d, chunks)) return false;
  int64_t cols = 0;
  for (const WindowChunk& c : chunks) cols += c.cols;
  return cols <= kAmxPvMaxMeanChunk * int64_t(chunks.size());
}

void amx_pv_window(const c10::BFloat16* p, int64_t ld_p, int64_t rows, const c10::BFloat16* v_head, int64_t d,
                   const std::vector<WindowChunk>& chunks, float* o, bool accumulate, AmxPvScratch& scratch) {
  // Steps, chunk after chunk. A chunk whose width is an odd multiple of 16 ends with a 32-key step
  // whose B is a copy of its last 8 key pairs followed by 8 zero pairs: the A tile reads the 16 P
  // columns after the chunk too (the next chunk's, or the row's finite padding: the caller's P rows
  // have at least 16 readable columns past the window), and zero V rows cancel them.
  std::vector<AmxPvStep>& steps = scratch.steps;
  steps.clear();
  int64_t n_tails = 0;
  for (const WindowChunk& c : chunks) n_tails += c.cols % 32 != 0;
  scratch.v.resize(size_t(n_tails * 16 * d * 2));
  const int64_t half = kT / 2 * d * 2;  // elements of 8 key pairs of V
  c10::BFloat16* vt = scratch.v.data();
  for (const WindowChunk& c : chunks) {
    int64_t k = 0;
    for (; k + 32 <= c.cols; k += 32) steps.push_back(AmxPvStep{p + c.s_col + k, v_head + (c.packed + k) / 2 * d * 2});
    if (k < c.cols) {
      std::memcpy(vt, v_head + (c.packed + k) / 2 * d * 2, size_t(half) * sizeof(c10::BFloat16));
      std::memset(static_cast<void*>(vt + half), 0, size_t(half) * sizeof(c10::BFloat16));
      steps.push_back(AmxPvStep{p + c.s_col + k, vt});
      vt += 2 * half;
    }
  }
  configure_tiles();
  const int64_t p_stride = ld_p * 2, v_stride = d * 4, o_stride = d * 4;  // bytes
  for (int64_t i = 0; i < rows; i += 2 * kT) {
    const bool two_rows = i + kT < rows;
    for (int64_t n = 0; n < d; n += 2 * kT) {  // d % 32 == 0: always two C columns
      float* c0 = o + i * d + n;
      if (accumulate) {
        _tile_loadd(0, c0, o_stride);
        _tile_loadd(1, c0 + kT, o_stride);
        if (two_rows) {
          _tile_loadd(2, c0 + kT * d, o_stride);
          _tile_loadd(3, c0 + kT * d + kT, o_stride);
        }
      } else {
        _tile_zero(0);
        _tile_zero(1);
        _tile_zero(2);
        _tile_zero(3);
      }
      for (const AmxPvStep& st : steps) {
        const char* a0 = reinterpret_cast<const char*>(st.a) + i * p_stride;
        const c10::BFloat16* b = st.b + n * 2;
        _tile_loadd(4, a0, p_stride);
        _tile_loadd(6, b, v_stride);
        _tile_dpbf16ps(0, 4, 6);
        _tile_loadd(7, b + 2 * kT, v_stride);
        _tile_dpbf16ps(1, 4, 7);
        if (two_rows) {
          _tile_loadd(5, a0 + kT * p_stride, p_stride);
          _tile_dpbf16ps(2, 5, 6);
          _tile_dpbf16ps(3, 5, 7);
        }
      }
      _tile_stored(0, c0, o_stride);
      _tile_stored(1, c0 + kT, o_stride);
      if (two_rows) {
        _tile_stored(2, c0 + kT * d, o_stride);
        _tile_stored(3, c0 + kT * d + kT, o_stride);
      }
    }
  }
}

void amx_release() { _tile_release(); }

}  // namespace pevlm::attention::fused
