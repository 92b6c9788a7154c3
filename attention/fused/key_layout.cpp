#include "attention/fused/key_layout.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace pevlm::attention::fused {
namespace {

int64_t round16(int64_t n) { return (n + 15) & ~int64_t(15); }

KeyLayout from_cuts(std::vector<int64_t> cuts, int64_t keys) {
  cuts.push_back(0);
  cuts.push_back(keys);
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  KeyLayout layout;
  layout.keys = keys;
  int64_t packed = 0;
  for (size_t i = 0; i + 1 < cuts.size(); ++i) {
    layout.pieces.push_back(KeyPiece{cuts[i], cuts[i + 1], packed});
    packed = round16(packed + cuts[i + 1] - cuts[i]);
  }
  layout.packed_keys = std::max<int64_t>(16, packed);
  return layout;
}

}  // namespace

const KeyPiece& KeyLayout::piece_of(int64_t j) const {
  const auto it = std::upper_bound(pieces.begin(), pieces.end(), j, [](int64_t key, const KeyPiece& p) { return key < p.end; });
  if (it == pieces.end() || j < it->begin) throw std::out_of_range("key layout: key " + std::to_string(j) + " outside [0, " + std::to_string(keys) + ")");
  return *it;
}

KeyLayout make_key_layout(const std::vector<Segment>& segments, int64_t keys) {
  std::vector<int64_t> cuts;
  for (const Segment& s : segments)
    for (const SegmentKeys& k : s.keys) {
      if (k.begin < 0 || k.end > keys || k.begin > k.end)
        throw std::invalid_argument("key layout: key range [" + std::to_string(k.begin) + ", " + std::to_string(k.end) +
                                    ") outside the call's " + std::to_string(keys) + " keys");
      cuts.push_back(k.begin);
      cuts.push_back(k.end);
    }
  return from_cuts(std::move(cuts), keys);
}

KeyLayout single_piece_layout(int64_t keys) { return from_cuts({}, keys); }

}  // namespace pevlm::attention::fused
