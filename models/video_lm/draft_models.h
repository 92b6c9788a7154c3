// Draft checkpoints of decoders with a draft model (speculative, parallelvlm) for any family whose
// draft is a checkpoint of the same family with the target's tokenizer (library pevlm_video_lm): loaded
// once per folder on the target's device, dtype and executor kind and checked against the target (same
// family and vocabulary, plus the family's own checks: special ids, video patching, a tokenizer probe);
// each sample's prompt embedded by the draft's own vision tower and embedding table, and its ids checked
// to be the target's. The harness reaches these through VideoLM::draft_models(); the answer of the pair
// is answer_with_decoder (decoded_answer.h).
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "models/tokenizer/tokenizer.h"
#include "models/video_lm/video_lm.h"

namespace pevlm {

class SameFamilyDraftModels : public DraftModels {
 public:
  // Constructs the family's VideoLM from a folder (the family's constructor).
  using Loader = std::function<std::unique_ptr<VideoLM>(const std::filesystem::path& dir, const LoadRequest& request)>;
  // Why `draft` cannot draft for `target` (e.g. "eos_token_id 7 vs the target's 5"), or "" when it can.
  using Check = std::function<std::string(const VideoLM& target, const VideoLM& draft)>;

  // `request`: the target's dtype, device and device name; the executor is made per draft of the
  // target's executor kind.
  SameFamilyDraftModels(const VideoLM& target, std::string target_dir, LoadRequest request, Loader loader, Check check);
  // The draft in `dir`, loaded and checked on first use (std::invalid_argument naming both folders).
  const VideoLM& get(const std::string& dir);
  DraftInput input(const std::string& dir, const VideoInput& video, const std::string& system_prompt,
                   const std::string& question, const std::vector<int64_t>& target_ids) override;

 private:
  const VideoLM& target_;
  std::string target_dir_;
  LoadRequest request_;
  Loader loader_;
  Check check_;
  std::map<std::string, std::unique_ptr<VideoLM>> models_;
};

// The checks every family shares: the same family and LLM vocabulary ("" when they agree).
std::string common_draft_mismatch(const VideoLM& target, const VideoLM& draft);

// "" when both tokenizers encode a probe text (chat markers, words, digits, non-ASCII) to the same ids,
// else what differs.
std::string tokenizer_mismatch(const tokenizer::Tokenizer& target, const tokenizer::Tokenizer& draft);

}  // namespace pevlm
