// Byte-level BPE model: merges applied by rank to the bytes of one pre-tokenised word.
// Compare tokenizers/src/models/bpe/word.rs (merge_all: lowest rank first, ties to the left).
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace pevlm::tokenizer {

class BpeModel {
 public:
  // Registers a single-byte token (the start symbols of every word).
  void set_byte_token(uint8_t byte, int32_t id) { byte_id_[byte] = id; }
  // Adds merge (left, right) -> merged with the next rank (call in merges-file order).
  // Returns false when the pair was already present (the first, lower rank is kept).
  bool add_merge(int32_t left, int32_t right, int32_t merged);
  void reserve(size_t merges) { merges_.reserve(merges); }
  size_t num_merges() const { return merges_.size(); }
  bool has_byte_token(uint8_t byte) const { return byte_id_[byte] >= 0; }

  // Appends the ids of `word` (raw bytes) to `out`. Results are cached per word.
  // Throws std::invalid_argument when a byte of the word has no token (no unk, no byte fallback).
  void encode_word(std::string_view word, std::vector<int32_t>& out) const;

 private:
  struct Merge {
    int32_t rank;
    int32_t merged;
  };
  static uint64_t key(int32_t a, int32_t b) { return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b); }
  void merge_all(std::string_view word, std::vector<int32_t>& out) const;

  std::array<int32_t, 256> byte_id_ = make_unset();
  std::unordered_map<uint64_t, Merge> merges_;
  // Word cache (like tokenizers' BPE cache): words repeat a lot in subtitles and prompts.
  mutable std::mutex cache_mutex_;
  mutable std::unordered_map<std::string, std::vector<int32_t>> cache_;
  static constexpr size_t kCacheCapacity = 100000;
  static constexpr size_t kMaxCachedWordBytes = 128;

  static std::array<int32_t, 256> make_unset() {
    std::array<int32_t, 256> a{};
    a.fill(-1);
    return a;
  }
};

}  // namespace pevlm::tokenizer
