#include "models/tokenizer/string_index.h"

namespace pevlm::tokenizer {

uint64_t StringIndex::hash_of(std::string_view s) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a, then a final mix for the low bits used as index
  for (char c : s) h = (h ^ static_cast<uint8_t>(c)) * 1099511628211ull;
  h ^= h >> 29;
  h *= 0xbf58476d1ce4e5b9ull;
  return h ^ (h >> 32);
}

void StringIndex::reserve(size_t n) {
  size_t cap = 16;
  while (cap < 2 * n) cap *= 2;
  if (cap > slots_.size()) rehash(cap);
}

void StringIndex::rehash(size_t capacity) {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(capacity, Slot{});
  for (const Slot& s : old) {
    if (s.id < 0) continue;
    size_t i = s.hash & (capacity - 1);
    while (slots_[i].id >= 0) i = (i + 1) & (capacity - 1);
    slots_[i] = s;
  }
}

size_t StringIndex::probe(std::string_view text, uint32_t h) const {
  const size_t mask = slots_.size() - 1;
  size_t i = h & mask;
  while (slots_[i].id >= 0 && !(slots_[i].hash == h && (*keys_)[slots_[i].id] == text)) i = (i + 1) & mask;
  return i;
}

bool StringIndex::insert(std::string_view text, int32_t id) {
  if (2 * (size_ + 1) > slots_.size()) rehash(slots_.empty() ? 16 : 2 * slots_.size());
  const uint32_t h = static_cast<uint32_t>(hash_of(text));
  const size_t i = probe(text, h);
  if (slots_[i].id >= 0) return false;
  slots_[i] = {h, id};
  ++size_;
  return true;
}

void StringIndex::assign(std::string_view text, int32_t id) {
  if (!insert(text, id)) slots_[probe(text, static_cast<uint32_t>(hash_of(text)))].id = id;
}

int32_t StringIndex::find(std::string_view text) const {
  if (slots_.empty()) return -1;
  return slots_[probe(text, static_cast<uint32_t>(hash_of(text)))].id;
}

}  // namespace pevlm::tokenizer
