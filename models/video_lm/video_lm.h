// The one model interface the harness uses for every family (DESIGN.md "Models behind one
// interface"; issue 12): a loaded video LLM samples-and-preprocesses the protocol's frames on a CPU
// thread, encodes them into visual embeddings (the harness caches these), builds the chat prompt
// (ids + TokenLayout with exact frame spans + positions, 3 x L M-RoPE or 1 x L), embeds it, and
// answers under one method configuration with per-phase timings.
//
// Families (models/<family>/): qwen2_5_vl (runtime.*), llava_video, longvila (model.*); a folder's
// family comes from its config.json (family.h) and registry.h constructs it from a LoadRequest. Every
// family runs the Qwen decoder of models/llm/ (llm::Decoder; 1-D RoPE is M-RoPE with identical rows,
// rope.h), so the prefill session type is shared.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>
#include <nlohmann/json.hpp>

#include "attention/executor.h"
#include "datasets/longvideobench/prompt_plan.h"
#include "decoders/decode_metrics.h"
#include "decoders/decoder_registry.h"
#include "methods/method_registry.h"
#include "methods/token_layout.h"
#include "models/llm/decoder.h"

namespace pevlm::tokenizer {
class Tokenizer;
}

namespace pevlm {

// What FastVID reads from a family's vision tower beside the embeddings (reduction/fastvid_stage.h), computed
// inside the tower as the family's reference does.
struct FastvidSignals {
  at::Tensor saliency_N;  // [grid tokens of every frame] float32, token order, no newline tokens
  at::Tensor global_FG;   // [F, G] per-frame global features; undefined: the mean of each frame's grid tokens
  // Which reference variant these signals feed (reduction/fastvid_budget.h: "llava_video", "llava_onevision");
  // empty: the family's own.
  std::string reference;
};

// One piece of the user turn, in prompt order: text, or a visual chunk.
struct UserPiece {
  std::string text;  // when chunk < 0
  int chunk = -1;    // index into VideoInput::chunks
};

// Pixels of one visual chunk in the family's own layout, with its grid:
//  qwen2_5_vl: flattened patches [t*h*w, 1176], grid (t, h, w) of patches;
//  llava_video / longvila: frames [T, 3, S, S] normalised, grid (T, S/patch, S/patch).
struct VisualChunk {
  at::Tensor pixels;
  std::array<int64_t, 3> grid{};
  int64_t patches() const { return grid[0] * grid[1] * grid[2]; }
};

// What the model sees of one sample (made on the prefetch thread by VideoLM::prepare).
struct VideoInput {
  std::vector<VisualChunk> chunks;
  std::vector<UserPiece> pieces;
  double second_per_grid_t = 1.0;   // qwen2_5_vl M-RoPE temporal step
  std::vector<double> frame_times;  // seconds of each sampled frame (LLaVA-Video's time instruction)
  double duration_s = 0;            // the video's duration in seconds
  int64_t patches() const;
};

// The built chat prompt. The vision embeddings go, in order, to the rows `visual_slots`; ids there
// are placeholders (qwen2_5_vl: <|video_pad|>; llava_video: <|endoftext|>-free filler 0).
struct VideoPrompt {
  std::vector<int64_t> ids;
  TokenLayout layout;               // spans (frame spans include per-frame newline tokens) + positions
  std::vector<int64_t> visual_slots;
  std::string text;                 // rendered prompt, one placeholder per video (logs)
};

struct MethodAnswer {
  std::string response;
  std::vector<int64_t> tokens;
  nlohmann::json token_counts;  // plan.token_counts()
  llm::Timings timings;  // decode_ms: the whole decode loop (a speculative one: draft + verify)
  // Speculative decoders: their figures (greedy_decode_ms and lossless are left for the caller, who
  // runs greedy on the same sample) and the selection they drafted with.
  std::optional<SpeculativeFigures> speculative;
  nlohmann::json selection;
};

// What the harness hands a family's constructor (registry.h): compute dtype request, device and
// executor, as plain values (models/ never sees the harness's device description).
struct LoadRequest {
  std::string dtype = "auto";               // auto | bf16 | fp32
  at::Device device = at::kCPU;
  std::string device_name = "cpu";          // as result rows print it
  std::shared_ptr<attention::Executor> executor;  // resolved by the harness for the device
  nlohmann::json options = nlohmann::json::object();  // family model options (eval `model_options:`)
};

class VideoLM;

// One sample's inputs of a draft model (decoders with a draft model: speculative, parallelvlm): the
// draft and its embeddings of the target's prompt [L, draft hidden].
struct DraftInput {
  const VideoLM* model = nullptr;
  at::Tensor x_LD;
  double vision_ms = 0;  // the draft's vision tower on this sample
};

// The draft checkpoints of one target model, loaded on first use on the target's device, dtype and
// executor and checked against it (VideoLM::draft_models; a family that supports draft-model decoders
// implements it).
class DraftModels {
 public:
  virtual ~DraftModels() = default;
  // The draft in `dir` (loaded and checked on first use) with its embeddings of a sample's prompt
  // (system prompt + video + question + the protocol's assistant prefix, as the target's). Throws
  // std::invalid_argument naming both folders when the draft cannot draft for the target or builds other
  // prompt ids than `target_ids`.
  virtual DraftInput input(const std::string& dir, const VideoInput& video, const std::string& system_prompt,
                           const std::string& question, const std::vector<int64_t>& target_ids,
                           const std::string& assistant_prefix = "") = 0;
};

class VideoLM {
 public:
  virtual ~VideoLM() = default;

  // "qwen2_5_vl", "llava_video", "longvila".
  virtual std::string family() const = 0;
  // {"name", "family", "path", "dtype", "device", "executor", "kernel", "config": dims} for result rows.
  virtual nlohmann::json describe() const = 0;
  // Load time and memory right after loading: {"ms", "peak_host_mib", "peak_device_mib"}.
  virtual const nlohmann::json& load_figures() const = 0;
  // Set by the loader (it times the construction and reads the device's memory).
  virtual void set_load_figures(nlohmann::json figures) = 0;
  virtual std::string dtype_name() const = 0;
  // Every weight tensor (placement checks).
  virtual std::vector<at::Tensor> tensors() const = 0;
  // Frames `pevlm generate` samples by default (the family's evaluation setting).
  virtual int64_t default_frames() const = 0;
  // `pevlm generate`'s plan for one video file outside any protocol: the frames of its frame_count
  // (at container rate `fps`) that the family's reference loader reads when asked for `wanted` frames
  // (--frames, else default_frames()), timestamps at `fps`, and the family's default pixel budget
  // (one_video_plan below fills the rest). The loaders differ: qwen-vl-utils torch.round and lmms-eval
  // llava_vid np.linspace(dtype=int) over the whole video (n = generate_frame_count(wanted, frame_count));
  // VILA by the checkpoint's `fps` (from the start at that rate) or np.round(np.linspace) over the whole
  // video with exactly `wanted` frames (longvila/frame_sampling.h). The plan may hold repeated indices.
  virtual lvb::PromptPlan generate_plan(int64_t frame_count, double fps, int64_t wanted) const = 0;

  // CPU side, prefetch thread: decoded frames uint8 [T, H, W, 3] in plan order -> model inputs.
  virtual VideoInput prepare(const at::Tensor& frames_THWC, const lvb::PromptPlan& plan, double duration_s) const = 0;
  // Visual embeddings [N, hidden] of every chunk, in prompt order (N = visual_slots.size()).
  virtual at::Tensor encode(const VideoInput& video) const = 0;
  // Whether encode_with_fastvid_signals() runs on this model (a sweep with FastVID asks before encoding, so
  // that the other rows of a sample still answer where it does not).
  virtual bool provides_fastvid_signals() const { return false; }
  // Why it does not (for the FastVID rows' error): what the family or the load is missing.
  virtual std::string fastvid_signals_missing() const {
    return "the " + family() + " family's vision tower does not provide FastVID's saliency (implemented: qwen2_5_vl, llava_video)";
  }
  // encode() plus FastVID's signals (FastvidSignals). Models that do not provide them throw
  // std::invalid_argument with fastvid_signals_missing().
  virtual at::Tensor encode_with_fastvid_signals(const VideoInput& video, FastvidSignals& signals) const {
    (void)video, (void)signals;
    throw std::invalid_argument("reduction 'fastvid': " + fastvid_signals_missing());
  }
  // The chat prompt of the user turn (video + text pieces) and the question. A protocol's assistant prefix
  // (plan.assistant_prefix) is appended by the caller: append_assistant_prefix (assistant_prefix.h).
  virtual VideoPrompt build_prompt(const VideoInput& video, const std::string& system_prompt,
                                   const std::string& question) const = 0;
  // Token embeddings with `vision` at prompt.visual_slots: [L, hidden] on the model's device.
  virtual at::Tensor embed_prompt(const VideoPrompt& prompt, const at::Tensor& vision) const = 0;
  // Prefill under `method`'s plan (logits of the last row only).
  virtual llm::Session prefill(const at::Tensor& x_LD, const TokenLayout& layout,
                                         const MethodConfig& method) const = 0;
  // prefill, then decode up to max_new_tokens with `decoder`, detokenise. Decoders with a draft model need
  // `draft` (from draft_models()).
  virtual MethodAnswer answer(const at::Tensor& x_LD, const TokenLayout& layout, const MethodConfig& method,
                              int64_t max_new_tokens, const DecoderConfig& decoder = {},
                              const DraftInput* draft = nullptr) const = 0;
  // Greedy decoding from a session the caller prefilled (prefix reuse: the questions of one video continue
  // from one prefill of their common prefix, harness/eval/prefix_reuse.h), detokenised as answer() does.
  virtual MethodAnswer answer_session(llm::Session& session, int64_t max_new_tokens) const = 0;
  // The Qwen2 decoder every family runs and its attention executor, for callers that drive prefill /
  // decode themselves (pevlm analyze wraps the executor to record attention mass per span).
  virtual const llm::Decoder& llm() const = 0;
  // The checkpoint's tokenizer (text the harness adds to a built prompt, e.g. an assistant prefix).
  virtual const tokenizer::Tokenizer& tokenizer() const = 0;
  virtual attention::Executor& executor() const = 0;
  // The text of generated ids (special tokens skipped) and the ids that end generation (<|im_end|>,
  // <|endoftext|>), for callers that drive prefill / generate themselves (reduction/: FastV's in-LLM stage).
  virtual std::string detokenize(const std::vector<int64_t>& ids) const = 0;
  virtual std::vector<int64_t> stop_ids() const = 0;
  // Draft checkpoints for decoders with a draft model (speculative, parallelvlm), or nullptr when the
  // family has none (then such a decoder is an error naming the family). `target_dir`: this model's
  // folder, for error messages.
  virtual std::unique_ptr<DraftModels> draft_models(const std::filesystem::path& target_dir) const { return nullptr; }
};

// CPU side, after VideoLM::prepare (the prefetch thread): pins every chunk's pixels in page-locked host
// memory when `device` is a GPU, so encode()'s host -> device copy is an asynchronous DMA and the timed
// vision stage (vision_ms) holds device work only, not a host-side pinning copy (issue 21). A no-op
// on other devices.
void pin_for_device(VideoInput& input, const at::Device& device);

// "auto" (the checkpoint's torch_dtype), "bf16" or "fp32" -> the compute dtype; throws naming the value.
at::ScalarType pick_compute_dtype(const std::string& dtype, const std::string& checkpoint_torch_dtype);

// For families with a fixed square input (SigLIP; square_pixels.cpp): CPU frames uint8 [T, H, W, 3] (any
// strides) resized to S x S with Pillow's bicubic, bit-exact (siglip::pil_resize_bicubic; skipped when
// already S x S, as PIL's copy), then transformers' rescale + normalize: float32(u8 * (1/255 in float64)),
// (x - float32(mean)) / float32(std) in float32 -> float32 [T, 3, S, S]. Throws std::invalid_argument
// naming the expected layout for anything else.
at::Tensor square_pixels(const at::Tensor& frames_THWC, int64_t size, const std::array<double, 3>& mean,
                         const std::array<double, 3>& std);
// The input of a model that puts the whole video before the text (LLaVA-Video, LongVILA; lmms-eval's
// adapters do the same): one chunk of `pixels` with grid (T, g, g), then the plan's pre-video text and
// text pieces (separator-joined, a trailing separator when there are any), frame times and duration.
VideoInput video_first_input(const at::Tensor& pixels_TCSS, int64_t grid, const lvb::PromptPlan& plan, double duration_s);

// generate's frame count for the whole-video samplers of qwen2_5_vl and llava_video: `wanted` kept within
// [2, frame_count] (at least 2).
inline int64_t generate_frame_count(int64_t wanted, int64_t frame_count) {
  return wanted < frame_count ? (wanted < 2 ? 2 : wanted) : (frame_count < 2 ? 2 : frame_count);
}

// A one-video plan of these container frames: timestamps index / fps (0 when fps is unknown), one
// frame piece each, frames as one video, grid step 1 s (fps 2 / temporal patch 2); no pixel limits.
lvb::PromptPlan one_video_plan(std::vector<int64_t> frame_indices, double fps);

// Embeddings of `ids` with vision_ND placed at `slots` (in order); throws naming both counts or the
// width when they disagree.
at::Tensor embed_at_slots(const llm::Decoder& llm, const std::vector<int64_t>& ids,
                          const std::vector<int64_t>& slots, const at::Tensor& vision_ND);

}  // namespace pevlm
