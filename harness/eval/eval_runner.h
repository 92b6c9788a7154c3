// The evaluation loop of `pevlm eval`: for each sample of the shard (decoded one ahead on a
// prefetch thread): vision tower (embedding cache), prompt, then every method configuration ->
// prefill with its plan -> greedy decode -> answer parsing -> one durable result row. With prefix
// reuse (EvalConfig::prefix_reuse) the shard's samples go video by video: all questions of a video are
// prepared, then per method configuration its prefix is prefilled once and every question continues
// from it (prefix_reuse.h).
#pragma once

#include <filesystem>
#include <string>

#include "harness/eval/eval_config.h"

namespace pevlm {

struct EvalOptions {
  std::filesystem::path out;
  int shard_index = 0, shard_count = 1;  // --shard i/n: samples with index % n == i
  // --shard-by video: whole videos per shard instead (video k, in order of first question, goes to shard
  // k % n), so prefix reuse serves every question of a video; recorded in run.json as "shard_by" so that
  // shards cut the two ways are never resumed or merged together.
  bool shard_by_video = false;
  int64_t limit = -1;                    // --limit N (overrides the config's dataset.limit)
  bool resume = true;
  std::filesystem::path frames_cache;  // --frames-cache DIR: read decoded frames from / write them to DIR
  bool decode_only = false;            // --decode-only: fill the frames cache, load no model, write no rows
};

struct EvalSummary {
  int64_t samples = 0, rows_written = 0, rows_skipped = 0, errors = 0;
  double seconds = 0;
};

EvalSummary run_eval(const EvalConfig& config, const EvalOptions& options);

// "i/n" -> (i, n); throws naming the value when malformed or i >= n.
std::pair<int, int> parse_shard(const std::string& text);

}  // namespace pevlm
