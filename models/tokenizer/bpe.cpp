#include "models/tokenizer/bpe.h"

#include <queue>
#include <sstream>
#include <stdexcept>

namespace pevlm::tokenizer {

bool BpeModel::add_merge(int32_t left, int32_t right, int32_t merged) {
  const int32_t rank = static_cast<int32_t>(merges_.size());
  return merges_.emplace(key(left, right), Merge{rank, merged}).second;
}

void BpeModel::encode_word(std::string_view word, std::vector<int32_t>& out) const {
  if (word.size() == 1) {  // single bytes need no merges and no cache
    const int32_t id = byte_id_[static_cast<uint8_t>(word[0])];
    if (id < 0) merge_all(word, out);  // throws with the byte named
    out.push_back(id);
    return;
  }
  const bool cacheable = word.size() <= kMaxCachedWordBytes;
  if (cacheable) {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    auto it = cache_.find(std::string(word));
    if (it != cache_.end()) {
      out.insert(out.end(), it->second.begin(), it->second.end());
      return;
    }
  }
  const size_t start = out.size();
  merge_all(word, out);
  if (cacheable) {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    if (cache_.size() < kCacheCapacity) cache_.emplace(std::string(word), std::vector<int32_t>(out.begin() + start, out.end()));
  }
}

// Symbols form a linked list over the word's bytes; a min-heap holds candidate merges ordered by
// (rank, position). A popped candidate is stale when either symbol changed since it was pushed.
void BpeModel::merge_all(std::string_view word, std::vector<int32_t>& out) const {
  struct Sym {
    int32_t id;
    int32_t prev, next;  // -1 = none
  };
  struct Cand {
    int32_t rank, pos, left, right, merged;
    bool operator>(const Cand& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
  };
  const int n = static_cast<int>(word.size());
  std::vector<Sym> sym(n);
  for (int i = 0; i < n; ++i) {
    const uint8_t b = static_cast<uint8_t>(word[i]);
    if (byte_id_[b] < 0) {
      std::ostringstream msg;
      msg << "tokenizer: the vocabulary has no token for byte 0x" << std::hex << int(b)
          << " (byte-level BPE without unk or byte fallback cannot encode it)";
      throw std::invalid_argument(msg.str());
    }
    sym[i] = {byte_id_[b], i - 1, i + 1 < n ? i + 1 : -1};
  }
  std::priority_queue<Cand, std::vector<Cand>, std::greater<Cand>> heap;
  auto push = [&](int pos) {
    const int nx = sym[pos].next;
    if (nx < 0) return;
    auto it = merges_.find(key(sym[pos].id, sym[nx].id));
    if (it != merges_.end()) heap.push({it->second.rank, pos, sym[pos].id, sym[nx].id, it->second.merged});
  };
  for (int i = 0; i + 1 < n; ++i) push(i);
  while (!heap.empty()) {
    const Cand c = heap.top();
    heap.pop();
    Sym& a = sym[c.pos];
    if (a.id != c.left || a.next < 0 || sym[a.next].id != c.right) continue;  // stale
    const int removed = a.next;
    a.id = c.merged;
    a.next = sym[removed].next;
    if (a.next >= 0) sym[a.next].prev = c.pos;
    sym[removed].id = -1;
    if (a.prev >= 0) push(a.prev);
    push(c.pos);
  }
  for (int i = 0; i >= 0; i = sym[i].next) out.push_back(sym[i].id);
}

}  // namespace pevlm::tokenizer
