// Draft checkpoints, their per-sample embeddings and the answer of a (target, draft) pair; see
// runtime_draft.h.
#include "models/qwen2_5_vl/runtime_draft.h"

#include <ATen/ATen.h>

#include <cmath>
#include <filesystem>
#include <stdexcept>

#include "attention/device_timer.h"
#include "models/qwen2_5_vl/speculative_draft.h"
#include "models/qwen2_5_vl/speculative_prefill.h"

namespace pevlm::qwen2_5_vl {
namespace {

// The first difference that stops `draft` from drafting for `target`, or "".
std::string draft_mismatch(const QwenVideoLM& target, const QwenVideoLM& draft) {
  const auto& t = target.config();
  const auto& d = draft.config();
  auto pair = [](const char* what, int64_t a, int64_t b) {
    return a == b ? std::string() : std::string(what) + " " + std::to_string(b) + " vs the target's " + std::to_string(a);
  };
  const std::vector<std::string> checks = {
      pair("vocabulary (config vocab_size)", t.text.vocab_size, d.text.vocab_size),
      pair("tokenizer vocabulary", target.tokenizer().vocab_size(), draft.tokenizer().vocab_size()),
      pair("eos_token_id", t.tokens.eos, d.tokens.eos),
      pair("bos_token_id", t.tokens.bos, d.tokens.bos),
      pair("vision_start_token_id", t.tokens.vision_start, d.tokens.vision_start),
      pair("vision_end_token_id", t.tokens.vision_end, d.tokens.vision_end),
      pair("video_token_id", t.tokens.video_pad, d.tokens.video_pad),
      pair("image_token_id", t.tokens.image_pad, d.tokens.image_pad),
      pair("vision patch_size", t.vision.patch_size, d.vision.patch_size),
      pair("vision temporal_patch_size", t.vision.temporal_patch_size, d.vision.temporal_patch_size),
      pair("vision spatial_merge_size", t.vision.spatial_merge_size, d.vision.spatial_merge_size),
      pair("vision tokens_per_second (x1000)", std::llround(t.vision.tokens_per_second * 1000),
           std::llround(d.vision.tokens_per_second * 1000))};
  for (const auto& c : checks)
    if (!c.empty()) return c;
  // The same words under the same ids: a probe text through both tokenizers.
  const std::string probe = "<|im_start|>user\nPlease provide a detailed description of the video. 0123 éß<|im_end|>";
  if (target.tokenizer().encode(probe) != draft.tokenizer().encode(probe)) return "a tokenizer that encodes text differently";
  return "";
}

}  // namespace

void check_draft_compatible(const QwenVideoLM& target, const std::string& target_dir, const QwenVideoLM& draft,
                            const std::string& draft_dir) {
  const std::string why = draft_mismatch(target, draft);
  if (!why.empty())
    throw std::invalid_argument("draft model " + draft_dir + " cannot draft for " + target_dir + ": it has " + why +
                                " (a draft needs the target's family, tokenizer and vocabulary)");
}

QwenDraftModels::QwenDraftModels(const QwenVideoLM& target, std::string target_dir)
    : target_(target), target_dir_(std::move(target_dir)) {}

const QwenVideoLM& QwenDraftModels::get(const std::string& dir) {
  auto it = models_.find(dir);
  if (it != models_.end()) return *it->second;
  if (!std::filesystem::exists(std::filesystem::path(dir) / "config.json"))
    throw std::invalid_argument("decoder draft_model: " + dir + " has no config.json (expected a Qwen2.5-VL checkpoint folder)");
  // On the target's dtype and device, with an executor of the target's kind (already checked for that device).
  LoadRequest request;
  request.dtype = target_.dtype_name();
  request.device = target_.device();
  request.device_name = target_.device_name();
  request.executor = attention::make_executor(target_.executor().name());
  auto model = std::make_unique<QwenVideoLM>(dir, request);
  check_draft_compatible(target_, target_dir_, *model, dir);
  return *models_.emplace(dir, std::move(model)).first->second;
}

DraftInput QwenDraftModels::input(const std::string& dir, const VideoInput& video, const std::string& system_prompt,
                                  const std::string& question, const std::vector<int64_t>& target_ids) {
  const QwenVideoLM& draft = get(dir);
  DraftInput in;
  in.model = &draft;
  const auto timer = attention::DeviceTimer::make(draft.device());
  const int v0 = timer->mark();
  const at::Tensor vision = draft.encode(video);
  in.vision_ms = timer->ms(v0, timer->mark());
  const BuiltPrompt prompt = draft.prompt(video, system_prompt, question);
  if (prompt.ids != target_ids)
    throw std::invalid_argument("draft model " + dir + " builds a different prompt (" + std::to_string(prompt.ids.size()) +
                                " ids) than the target " + target_dir_ + " (" + std::to_string(target_ids.size()) +
                                "): a draft needs the same tokenizer and video patching");
  in.x_LD = draft.embed(prompt, vision);
  return in;
}

MethodAnswer answer_with_draft(const QwenVideoLM& target, const at::Tensor& x_LD, const TokenLayout& layout,
                               const AttentionPlan& plan, const DecoderConfig& decoder, const llm::GenerationOptions& gen,
                               const DraftInput& draft) {
  if (draft.model == nullptr || !draft.x_LD.defined())
    throw std::invalid_argument("decoder '" + decoder.name + "' needs its draft model's embeddings of the sample");
  const bool parallel = decoder.name == "parallelvlm";
  const auto& p = decoder.params;
  PairPrefillOptions po;
  DraftOptions opt;
  if (parallel) {
    po.prune = true;
    po.alpha = p.at("alpha").get<double>();
    po.early_layers = p.at("early_layers").get<int64_t>();
    opt.threads = po.concurrent = p.at("pipeline").get<std::string>() == "threads";
    opt.parallel = true;
    opt.auto_gamma = p.at("gamma").is_string();  // "auto": measured after a first window of 4
    opt.gamma = opt.auto_gamma ? 4 : p.at("gamma").get<int64_t>();
    po.startup_steps = opt.gamma + 1;  // the guess of the first token + a window, during the target's prefill
  } else {
    opt.gamma = p.at("gamma").get<int64_t>();
  }
  const std::unique_ptr<attention::Executor> draft_executor = attention::make_executor(target.describe()["executor"].get<std::string>());
  PairPrefill pre = prefill_pair(target.llm(), x_LD, layout, plan, target.executor(), draft.model->llm(), draft.x_LD,
                                 *draft_executor, po);
  const DraftResult r = generate_with_draft(target.llm(), pre.target, *pre.draft, gen, opt);
  MethodAnswer a;
  std::vector<int32_t> ids(r.generation.tokens.begin(), r.generation.tokens.end());
  a.response = target.tokenizer().decode(ids, /*skip_special=*/true);
  a.tokens = r.generation.tokens;
  a.token_counts = pre.target.plan.token_counts();
  a.timings = pre.target.timings;
  a.timings.decode_ms = r.stats.total_ms;
  SpeculativeFigures f = loop_figures(r.stats, r.stats.gamma, int64_t(r.generation.tokens.size()));
  f.selection_ms = pre.target.timings.prefill_observer_ms;  // UV-Prune scoring inside the target's prefill
  f.two_models = true;
  f.parallel = parallel;
  f.gamma_auto = opt.auto_gamma;
  f.target_idle_ms = r.stats.target_idle_ms;
  f.draft_idle_ms = r.stats.draft_idle_ms;
  f.draft_prefill_ms = pre.draft_ms;
  f.prefill_wall_ms = pre.wall_ms;
  f.modelled_ms = r.stats.modelled_ms;
  f.parallel_windows = r.stats.parallel_windows();
  f.parallel_used = r.stats.parallel_used();
  a.speculative = f;
  a.selection = {{"draft_model", draft_model_of(decoder)}, {"visual_tokens", pre.visual_tokens},
                 {"kept_visual", pre.kept_visual}, {"draft_prompt_tokens", int64_t(pre.kept_rows.size())},
                 {"prompt_tokens", layout.length}, {"draft_vision_ms", draft.vision_ms},
                 {"draft_wait_ms", pre.draft_wait_ms}, {"target_prefill_ms", pre.target_ms},
                 {"calibration_verify_ms", r.stats.calibration_verify_ms}, {"calibration_step_ms", r.stats.calibration_step_ms}};
  if (parallel) {
    a.selection["alpha"] = po.alpha;
    a.selection["early_layers"] = po.early_layers;
  }
  return a;
}

}  // namespace pevlm::qwen2_5_vl
