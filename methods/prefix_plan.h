// Splitting a plan at the end of its question-independent prefix (issue 24 item 7): several
// questions of one video share one prefill of everything before the question (system text, frames,
// subtitles), and each question continues from a copy of that prefix's KV cache
// (QwenLlm::prefill_suffix). For this to be exact, the rows of the prefix must be computed the same
// whatever follows (tests/prefix_plan_test.cpp checks every method and position policy), and the rows
// after the split must be one causal range that sees the prefix as a set of key ranges: then
// Executor::decode of those rows on the prefix plan (its decode_keys are those key ranges; keys past
// the prefix are "generated", group 0, causal) computes exactly what the whole plan's range does.
#pragma once

#include <cstdint>
#include <string>

#include "methods/attention_plan.h"

namespace pevlm {

// The plan of the first `prefix_length` tokens as `plan` computes them: its query ranges ending at or
// before prefix_length, a range that crosses it cut there (only a range that sees earlier ranges plus
// itself causally, as full attention's one range), its groups, redundant work and positions [0, P),
// and as decode_keys the keys before P that the rows from P on attend to. Throws std::logic_error
// naming the method and the broken condition when the plan cannot be split at P: P outside (0, L),
// rows from P on that are not one range attending to itself causally in group 0 plus whole key ranges
// before P, a crossing range of another shape, or redundant work reaching past P.
AttentionPlan prefix_plan(const AttentionPlan& plan, int64_t prefix_length);

// "" when the two plans are equal in every field (method, params, length, queries with their keys,
// groups, positions, decode_keys, redundant); else a description of the first difference.
std::string plan_difference(const AttentionPlan& a, const AttentionPlan& b);

}  // namespace pevlm
