// Shared machinery of the parallel-encoding methods: cutting the context into blocks (in frames or
// tokens), assembling the AttentionPlan from a head (sink / prefix / anchor) + blocks + question,
// and the "retain" / "reuse" position policies of methods.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "methods/attention_plan.h"
#include "methods/token_layout.h"

namespace pevlm {

// A size in one of the two units every method supports (methods.md: frames or tokens).
struct UnitSize {
  enum class Unit { Frames, Tokens } unit = Unit::Tokens;
  int64_t count = 0;
  std::string key;  // parameter name it came from, for error messages
};

// End token of a leading range of `size` from the sequence start: frames -> the leading text plus
// the first `count` frames (clamped to the video: a sink larger than the video takes all of it);
// tokens -> the first `count` tokens (clamped to the context, i.e. before the question).
int64_t leading_end(const TokenLayout& layout, const UnitSize& size);

// Cuts [start, question_begin) into consecutive blocks of `size` (the last may be shorter).
// Frames: `start` must be a frame boundary (a frame start or the question start); a block is
// `count` whole frames plus any interleaved text up to the next block. Tokens: cut anywhere.
struct TokenRange {
  int64_t begin = 0;
  int64_t end = 0;
};
std::vector<TokenRange> cut_blocks(const TokenLayout& layout, int64_t start, const UnitSize& size);

// The shape of a parallel-encoding plan.
struct ParallelSpec {
  std::string method;
  nlohmann::json params;
  std::string head_role = "sink";  // "sink" | "prefix" | "anchor"
  int64_t head_end = 0;            // head = [0, head_end), causal; 0 -> no head
  std::vector<TokenRange> blocks;  // context blocks after the head
  int64_t shared_end = 0;          // every block starting at or after shared_end sees [0, shared_end)
  // Blocks from this index on are "context blocks" for the reuse position policy (methods.md:
  // the first block after sink/prefix/anchor-block; block_attention: block 0).
  size_t first_context_block = 0;
  bool reuse_positions = false;
  // APE: the question's (and decode's) keys of [shared_end, question) form a tempered group.
  std::optional<LogitGroup> context_group;
  // Star Attention recompute: per block, the anchor [0, recompute_end) is re-encoded with it.
  int64_t recompute_end = 0;
};

AttentionPlan build_parallel_plan(const TokenLayout& layout, const ParallelSpec& spec);

// Position policy "reuse" (methods.md): every context block takes the positions of the first
// context block; M-RoPE video tokens shift on t only, text tokens on all axes; the question
// restarts at (max over the context after shifting) + 1 on all axes.
PositionIds reuse_positions(const TokenLayout& layout, const std::vector<TokenRange>& blocks, size_t first_context_block);

}  // namespace pevlm
