// Open-addressing hash index from token text to id, keyed by strings the owner stores per id.
// Loading Qwen2 does ~450k lookups (three per merge); std::unordered_map<std::string, int> made
// that the slowest part of loading (node per entry, a cache miss per probe).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pevlm::tokenizer {

class StringIndex {
 public:
  // `keys` (id -> text) must outlive the index and keep the texts of inserted ids unchanged.
  explicit StringIndex(const std::vector<std::string>* keys) : keys_(keys) {}
  void reserve(size_t n);
  // Adds text -> id; false (nothing changed) when the text is already present.
  bool insert(std::string_view text, int32_t id);
  // Replaces or adds text -> id.
  void assign(std::string_view text, int32_t id);
  // Id of `text`, or -1.
  int32_t find(std::string_view text) const;
  size_t size() const { return size_; }

 private:
  struct Slot {
    uint32_t hash = 0;
    int32_t id = -1;  // -1 = empty
  };
  static uint64_t hash_of(std::string_view s);
  size_t probe(std::string_view text, uint32_t h) const;  // slot holding text, or the empty slot
  void rehash(size_t capacity);

  const std::vector<std::string>* keys_;
  std::vector<Slot> slots_;
  size_t size_ = 0;
};

}  // namespace pevlm::tokenizer
