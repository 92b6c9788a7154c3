// Draft checkpoints of the same family and their per-sample embeddings; see draft_models.h. Moved from
// models/qwen2_5_vl/runtime_draft.cpp (QwenDraftModels), written against VideoLM.
#include "models/video_lm/draft_models.h"

#include <ATen/ATen.h>

#include <cmath>
#include <filesystem>
#include <stdexcept>

#include "attention/device_timer.h"
#include "models/video_lm/family.h"

namespace pevlm {

std::string common_draft_mismatch(const VideoLM& target, const VideoLM& draft) {
  if (draft.family() != target.family()) return "family " + draft.family() + " vs the target's " + target.family();
  const int64_t a = target.llm().text().vocab_size, b = draft.llm().text().vocab_size;
  if (a != b) return "vocabulary (config vocab_size) " + std::to_string(b) + " vs the target's " + std::to_string(a);
  return "";
}

std::string tokenizer_mismatch(const tokenizer::Tokenizer& target, const tokenizer::Tokenizer& draft) {
  if (target.vocab_size() != draft.vocab_size())
    return "tokenizer vocabulary " + std::to_string(draft.vocab_size()) + " vs the target's " + std::to_string(target.vocab_size());
  // The same words under the same ids: a probe text through both tokenizers.
  const std::string probe = "<|im_start|>user\nPlease provide a detailed description of the video. 0123 éß<|im_end|>";
  if (target.encode(probe) != draft.encode(probe)) return "a tokenizer that encodes text differently";
  return "";
}

SameFamilyDraftModels::SameFamilyDraftModels(const VideoLM& target, std::string target_dir, LoadRequest request,
                                             Loader loader, Check check)
    : target_(target), target_dir_(std::move(target_dir)), request_(std::move(request)), loader_(std::move(loader)),
      check_(std::move(check)) {}

const VideoLM& SameFamilyDraftModels::get(const std::string& dir) {
  auto it = models_.find(dir);
  if (it != models_.end()) return *it->second;
  if (!std::filesystem::exists(std::filesystem::path(dir) / "config.json"))
    throw std::invalid_argument("decoder draft_model: " + dir + " has no config.json (expected a " + target_.family() +
                                " checkpoint folder)");
  // On the target's dtype and device, with an executor of the target's kind (already checked for that device).
  // Another family's folder would fail inside this family's loader: name both folders first.
  const std::string family = detect_family(dir);
  if (family != target_.family())
    throw std::invalid_argument("draft model " + dir + " cannot draft for " + target_dir_ + ": it has family " + family +
                                " vs the target's " + target_.family() +
                                " (a draft needs the target's family, tokenizer and vocabulary)");
  LoadRequest request = request_;
  request.executor = attention::make_executor(target_.executor().name());
  std::unique_ptr<VideoLM> model = loader_(dir, request);
  std::string why = common_draft_mismatch(target_, *model);
  if (why.empty() && check_) why = check_(target_, *model);
  if (!why.empty())
    throw std::invalid_argument("draft model " + dir + " cannot draft for " + target_dir_ + ": it has " + why +
                                " (a draft needs the target's family, tokenizer and vocabulary)");
  return *models_.emplace(dir, std::move(model)).first->second;
}

DraftInput SameFamilyDraftModels::input(const std::string& dir, const VideoInput& video, const std::string& system_prompt,
                                        const std::string& question, const std::vector<int64_t>& target_ids) {
  const VideoLM& draft = get(dir);
  DraftInput in;
  in.model = &draft;
  const auto timer = attention::DeviceTimer::make(request_.device);
  const int v0 = timer->mark();
  const at::Tensor vision = draft.encode(video);
  in.vision_ms = timer->ms(v0, timer->mark());
  const VideoPrompt prompt = draft.build_prompt(video, system_prompt, question);
  if (prompt.ids != target_ids)
    throw std::invalid_argument("draft model " + dir + " builds a different prompt (" + std::to_string(prompt.ids.size()) +
                                " ids) than the target " + target_dir_ + " (" + std::to_string(target_ids.size()) +
                                "): a draft needs the same tokenizer and video patching");
  in.x_LD = draft.embed_prompt(prompt, vision);
  return in;
}

}  // namespace pevlm
