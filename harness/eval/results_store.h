// Durable results store of an evaluation run: DIR/results.jsonl, one JSON object per line, one
// line per (sample, method configuration), appended and fsync'ed per row so a crash or kill loses
// at most the row in flight; DIR/run.json holds the settings that make rows comparable (model,
// dataset, protocol, generation). Resuming validates run.json and skips finished keys; a torn
// last line (killed mid-write) is detected and dropped.
#pragma once

#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/eval/jsonl_appender.h"

namespace pevlm {

// Reads a results.jsonl: complete lines must parse (a corrupt middle line is an error naming the
// file and line); an incomplete last line (no trailing newline) is returned through `torn`.
std::vector<nlohmann::json> read_results_jsonl(const std::filesystem::path& path, std::string* torn = nullptr);

class ResultsStore {
 public:
  // Opens (creating) DIR. With resume, an existing run.json must equal `run_settings` (else
  // std::invalid_argument listing the differing keys) and finished keys are loaded; a torn last
  // line is truncated away with a warning on stderr. Without resume, an existing non-empty
  // results.jsonl is an error (choose another --out or remove it).
  ResultsStore(const std::filesystem::path& dir, const nlohmann::json& run_settings, bool resume);
  ~ResultsStore();
  ResultsStore(const ResultsStore&) = delete;
  ResultsStore& operator=(const ResultsStore&) = delete;

  bool done(const std::string& key) const { return keys_.count(key) > 0; }
  size_t size() const { return keys_.size(); }
  // Appends one row (must carry a unique "key"), written and fsync'ed before returning (JsonlAppender).
  void append(const nlohmann::json& row);
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path dir_, path_;
  std::unique_ptr<JsonlAppender> appender_;
  std::set<std::string> keys_;
};

// Top-level keys whose values differ between two run settings (for error messages).
std::vector<std::string> differing_keys(const nlohmann::json& a, const nlohmann::json& b);

// `pevlm merge OUT IN...`: combines shard folders into OUT (run.json must agree; a key present in
// two shards is an error naming it and both folders).
void merge_results(const std::filesystem::path& out, const std::vector<std::filesystem::path>& inputs);

}  // namespace pevlm
