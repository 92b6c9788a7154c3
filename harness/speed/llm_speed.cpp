// Whole-LLM prefill timing for `pevlm speed`; see llm_speed.h. The timed model is llm::Decoder
// (models/llm/decoder.h, mirroring transformers Qwen2_5_VLDecoderLayer) with K random layers:
// linear-layer cost depends only on the shapes, so random weights time the same work as a checkpoint.
#include "harness/speed/llm_speed.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <stdexcept>

#include "attention/devices.h"
#include "attention/random_fill.h"
#include "harness/median.h"
#include "models/video_lm/presets.h"
#include "models/llm/decoder.h"
#include "models/llm/weights.h"
#include "reduction/apply_merge.h"
#include "reduction/fastv_stage.h"
#include "reduction/layout_merge.h"
#include "reduction/matched_baselines.h"
#include "reduction/reduced_answer.h"
#include "reduction/reduced_layout.h"

namespace pevlm {

SpeedModelShape resolve_speed_model(const std::string& spec, const std::string& where) {
  const LlmSpec c = model_config_from_spec(spec, where);
  const llm::TextConfig& t = c.text;
  return SpeedModelShape{c.source, t.num_heads, t.num_kv_heads, t.head_dim, t.hidden_size, t.intermediate_size,
                         t.num_layers};
}

struct LlmPrefillTimer::Impl {
  SpeedModelShape shape;
  c10::Device device = c10::kCPU;
  at::ScalarType dtype = at::kFloat;
  std::unique_ptr<llm::Decoder> llm;
};

LlmPrefillTimer::LlmPrefillTimer(const std::string& model_spec, int64_t layers, const std::string& dtype,
                                 const c10::Device& device, const std::string& where)
    : impl_(std::make_unique<Impl>()) {
  const LlmSpec config = model_config_from_spec(model_spec, where + ".model");
  impl_->shape = resolve_speed_model(model_spec, where + ".model");
  if (layers < 0 || layers > config.text.num_layers)
    throw std::invalid_argument(where + ".layers: expected 0 (all) .. " + std::to_string(config.text.num_layers) +
                                " for " + config.source + ", got " + std::to_string(layers));
  if (dtype != "fp32" && dtype != "bf16")
    throw std::invalid_argument(where + ".llm_dtype: expected fp32 or bf16, got " + dtype);
  impl_->device = attention::indexed_device(device);
  impl_->dtype = dtype == "bf16" ? at::kBFloat16 : at::kFloat;
  // K layers of the real sizes. The embedding table and lm_head are not timed (the prefill starts
  // from embeddings and computes no logits), so a 16-row tied vocabulary saves the 7B's 2 x 2 GB.
  llm::TextConfig text = config.text;
  text.num_layers = layers == 0 ? config.text.num_layers : layers;
  text.vocab_size = 16;
  text.tie_word_embeddings = true;
  // Drawn on the device (no host draw of ~8 G values, no copy); the model computes there too.
  llm::Weights weights = llm::random_weights(text, 0, impl_->dtype, 0.02, impl_->device);
  llm::DecoderOptions options;
  options.dtype = impl_->dtype;
  options.device = impl_->device;
  impl_->llm = std::make_unique<llm::Decoder>(text, std::move(weights), options);
}

LlmPrefillTimer::~LlmPrefillTimer() = default;

const SpeedModelShape& LlmPrefillTimer::shape() const { return impl_->shape; }
int64_t LlmPrefillTimer::layers_timed() const { return impl_->llm->text().num_layers; }
const c10::Device& LlmPrefillTimer::device() const { return impl_->device; }

LlmPrefillTiming LlmPrefillTimer::time(const AttentionPlan& plan, attention::Executor& executor, int warmup,
                                       int repeats) const {
  const at::Tensor x_LD = attention::random_normal({plan.length, impl_->shape.hidden}, 0, impl_->device).to(impl_->dtype);
  const llm::PrefillOptions options{llm::LogitRows::None, false};
  LlmPrefillTiming out;
  for (int r = 0; r < warmup + repeats; ++r) {
    attention::synchronize_device(impl_->device);
    llm::Session s;
    try {
      s = impl_->llm->prefill(x_LD, plan, executor, options);
    } catch (const std::exception& e) {
      throw std::runtime_error("LLM prefill timing (" + plan.method + ", " + std::to_string(plan.length) +
                               " tokens, executor " + executor.name() + "): " + e.what());
    }
    attention::synchronize_device(impl_->device);
    if (r < warmup) continue;
    out.attn_all.push_back(s.timings.prefill_attention_ms);
    out.other_all.push_back(s.timings.prefill_other_ms);
  }
  out.attn_ms = median_sample(out.attn_all);
  out.other_ms = median_sample(out.other_all);
  return out;
}

LlmPrefillTiming LlmPrefillTimer::time_reduced(const TokenLayout& layout, const MethodConfig& method,
                                               const reduction::ReductionConfig& r, attention::Executor& executor,
                                               int warmup, int repeats) const {
  if (r.is_none()) {
    LlmPrefillTiming t = time(build_plan(method, layout), executor, warmup, repeats);
    t.reduced_layout = layout;
    return t;
  }
  const at::Tensor x_LD = attention::random_normal({layout.length, impl_->shape.hidden}, 0, impl_->device).to(impl_->dtype);
  const AttentionPlan plan = build_plan(method, layout);
  FastvidSignals fastvid;  // a saliency value per grid token of every frame (no newline tokens)
  if (r.name == "fastvid") {
    int64_t grid_tokens = 0;
    bool row_newlines = false;
    for (const reduction::FrameGrid& g : reduction::frame_grids(layout)) {
      grid_tokens += g.rows * g.cols;
      row_newlines = row_newlines || g.row_stride > g.cols;
    }
    fastvid.saliency_N = at::rand({grid_tokens});
    // The reference tree by the layout (the tower's signals are outside this timing): M-RoPE -> Qwen2.5-VL;
    // 1-D with row newlines -> LLaVA-Video's, without -> LLaVA-OneVision's (fastvid_stage.h).
    fastvid.reference = layout.positions.axes == 3 ? "qwen2_5_vl" : row_newlines ? "llava_video" : "llava_onevision";
  }
  LlmPrefillTiming out;
  std::vector<double> after_attn, after_other;
  for (int rep = 0; rep < warmup + repeats; ++rep) {
    attention::synchronize_device(impl_->device);
    llm::Session s;
    double reduction_ms = 0;
    if (r.stage() == reduction::Stage::PreLlm) {
      // The merge is decided on the layout and applied to the embeddings on the device: both are timed.
      const auto t0 = std::chrono::steady_clock::now();
      const reduction::MergedInput in = reduction::apply_merge(
          x_LD, layout,
          r.name == "fastvid"
              // FastVID on the random embeddings with a random saliency, the tree chosen above.
              ? reduction::pre_llm_merge(r, layout, x_LD, fastvid.reference, &fastvid)
              : reduction::layout_merge(r, layout));
      attention::synchronize_device(impl_->device);
      reduction_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      s = impl_->llm->prefill(in.x_LD, build_plan(method, in.layout), executor, llm::PrefillOptions{llm::LogitRows::None, false});
      out.reduced_layout = in.layout;
    } else {
      const int64_t k = r.params.at("k").get<int64_t>();
      if (k >= layers_timed())
        throw std::invalid_argument("speed: fastv k = " + std::to_string(k) + " needs more timed layers than " +
                                    std::to_string(layers_timed()) + " (set layers: > k)");
      auto record = std::make_shared<reduction::FastvRecord>();
      llm::PrefillOptions po{llm::LogitRows::None, false};
      po.reduce = reduction::fastv_stage(layout, method, k, r.params.at("r").get<double>(),
                                         1.0 / std::sqrt(double(impl_->shape.head_dim)), record);
      s = impl_->llm->prefill(x_LD, plan, executor, po);
      reduction_ms = s.timings.prefill_reduction_ms;
      out.reduced_from_layer = k;
      out.reduced_layout = reduction::subset_layout(layout, record->kept);
    }
    attention::synchronize_device(impl_->device);
    if (rep < warmup) continue;
    out.attn_all.push_back(s.timings.prefill_attention_ms);
    out.other_all.push_back(s.timings.prefill_other_ms);
    out.reduction_all.push_back(reduction_ms);
    after_attn.push_back(s.timings.prefill_attention_after_reduction_ms);
    after_other.push_back(s.timings.prefill_after_reduction_ms - s.timings.prefill_attention_after_reduction_ms);
  }
  out.attn_ms = median(out.attn_all);
  out.other_ms = median(out.other_all);
  out.reduction_ms = median(out.reduction_all);
  out.attn_after_ms = median(after_attn);
  out.other_after_ms = median(after_other);
  return out;
}

}  // namespace pevlm
