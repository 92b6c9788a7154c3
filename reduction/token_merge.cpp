// TokenMerge helpers; see token_merge.h.
#include "reduction/token_merge.h"

namespace pevlm::reduction {

TokenMerge keep_only(std::vector<int64_t> kept) { return TokenMerge{std::move(kept), {}}; }

}  // namespace pevlm::reduction
