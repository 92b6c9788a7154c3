// On-disk cache of visual embeddings per (sample, protocol, model, frames): a sweep encodes each
// video once and reruns reuse it (issue: LongVideoBench evaluation, item 5). One safetensors file
// per entry, named by a 64-bit FNV-1a hash of the canonical key JSON, which is also stored in the
// file's metadata and checked on read (a hash collision can never return the wrong video).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include <ATen/core/Tensor.h>
#include <nlohmann/json.hpp>

namespace pevlm {

class EmbeddingCache {
 public:
  explicit EmbeddingCache(std::filesystem::path dir) : dir_(std::move(dir)) {}
  struct Entry {
    at::Tensor embeddings;  // [N, hidden]
    double vision_ms = 0;   // time the vision tower took when the entry was computed
  };
  // The cached entry for `key`, or nullopt.
  std::optional<Entry> get(const nlohmann::json& key) const;
  // Stores embeddings and their compute time (atomically: temporary file + rename).
  void put(const nlohmann::json& key, const at::Tensor& embeddings, double vision_ms) const;
  std::filesystem::path file_for(const nlohmann::json& key) const;

 private:
  std::filesystem::path dir_;
};

}  // namespace pevlm
