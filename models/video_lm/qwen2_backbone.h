// The part LLaVA-Video and LongVILA share behind VideoLM (library pevlm_video_lm): the Qwen2
// decoder (models/llm/decoder.h, 1-D positions), its tokenizer, the attention executor and the
// stop ids, with the VideoLM steps that only touch them (embed the prompt, prefill, answer, weight
// list, dimensions for result rows).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "attention/executor.h"
#include "models/safetensors/safetensors.h"
#include "models/tokenizer/chat_template.h"
#include "models/tokenizer/tokenizer.h"
#include "models/video_lm/video_lm.h"

namespace pevlm {

struct Qwen2Backbone {
  std::unique_ptr<llm::Decoder> llm;
  std::shared_ptr<attention::Executor> executor;
  tokenizer::Tokenizer tokenizer;
  std::vector<int64_t> stop_ids;  // <|im_end|>, <|endoftext|>

  // Tokenizer from `tokenizer_dir`, stop ids from it; throws naming the folder when a stop token is absent.
  static Qwen2Backbone make(std::unique_ptr<llm::Decoder> llm, std::shared_ptr<attention::Executor> executor,
                            const std::filesystem::path& tokenizer_dir);

  at::Tensor embed(const VideoPrompt& prompt, const at::Tensor& vision) const;
  llm::Session prefill(const at::Tensor& x_LD, const TokenLayout& layout, const MethodConfig& method) const;
  // Prefill under the method's plan, then any decoder (decoded_answer.h); draft-model decoders need `draft`.
  MethodAnswer answer(const at::Tensor& x_LD, const TokenLayout& layout, const MethodConfig& method, int64_t max_new_tokens,
                      const DecoderConfig& decoder, const DraftInput* draft) const;
  // Greedy decoding from a prefilled session, detokenised (VideoLM::answer_session).
  MethodAnswer answer_session(llm::Session& session, int64_t max_new_tokens) const;
  std::vector<at::Tensor> tensors() const;
  nlohmann::json dims() const;  // hidden, layers, heads, kv_heads, head_dim, intermediate, vocab, rope_theta
  // The Qwen chat prompt of a video question with 1-D positions 0..L-1:
  //   <|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n{frames}{text_prefix}{user text}{question}
  //   <|im_end|>\n<|im_start|>assistant\n
  // where the chunk pieces of `video` become, frame by frame, frame_visual[f] visual slots followed (when
  // frame_end_id >= 0) by that real token, one Frame span each; text pieces are the user text. The
  // question span starts after the last frame. `media` names the video in VideoPrompt::text. With
  // `strip_user_text`, trailing whitespace of {text_prefix}{user text}{question} is removed as Python's
  // str.strip() does (VILA strips each message; the frames come first, so only the end changes).
  // The strings are those of the chat templates both families accept (qwen2, qwen2_vila, llava_onevision;
  // tokenizer/chat_template.h), checked against transformers' renders by the family golden tests.
  VideoPrompt chat_prompt(const VideoInput& video, const std::vector<int64_t>& frame_visual, int64_t frame_end_id,
                          const std::string& system_prompt, const std::string& text_prefix, const std::string& question,
                          const std::string& media, bool strip_user_text = false) const;
  // Encodes text (special tokens allowed or not) as int64 ids.
  std::vector<int64_t> encode(const std::string& text, bool allow_special) const;
};

// Loads the decoder (`prefix` + the table's names, `lm_head_name`) from `checkpoint` in `dtype` on the
// request's device, with the tokenizer of `tokenizer_dir` and the request's executor.
Qwen2Backbone load_qwen2_backbone(const safetensors::Checkpoint& checkpoint, const llm::TextConfig& text,
                                  const std::string& prefix, const std::string& lm_head_name,
                                  const std::filesystem::path& tokenizer_dir, at::ScalarType dtype, const LoadRequest& request);

// The VideoLM steps LLaVA-Video and LongVILA share: everything after the vision embeddings (embedding
// the prompt, prefill, answer) and the bookkeeping (dtype, device name, load figures, describe()'s common
// fields). A family adds its vision side: prepare, encode, build_prompt.
class Qwen2VideoLM : public VideoLM {
 public:
  const nlohmann::json& load_figures() const override { return load_figures_; }
  void set_load_figures(nlohmann::json figures) override { load_figures_ = std::move(figures); }
  std::string dtype_name() const override { return dtype_ == at::kFloat ? "fp32" : "bf16"; }
  at::Tensor embed_prompt(const VideoPrompt& prompt, const at::Tensor& vision) const override {
    return backbone_.embed(prompt, vision);
  }
  llm::Session prefill(const at::Tensor& x_LD, const TokenLayout& layout,
                                 const MethodConfig& method) const override {
    return backbone_.prefill(x_LD, layout, method);
  }
  MethodAnswer answer(const at::Tensor& x_LD, const TokenLayout& layout, const MethodConfig& method, int64_t max_new_tokens,
                      const DecoderConfig& decoder = {}, const DraftInput* draft = nullptr) const override {
    return backbone_.answer(x_LD, layout, method, max_new_tokens, decoder, draft);
  }
  MethodAnswer answer_session(llm::Session& session, int64_t max_new_tokens) const override {
    return backbone_.answer_session(session, max_new_tokens);
  }
  const llm::Decoder& llm() const override { return *backbone_.llm; }
  attention::Executor& executor() const override { return *backbone_.executor; }
  std::string detokenize(const std::vector<int64_t>& ids) const override {
    return backbone_.tokenizer.decode(std::vector<int32_t>(ids.begin(), ids.end()), /*skip_special=*/true);
  }
  std::vector<int64_t> stop_ids() const override { return backbone_.stop_ids; }
  const tokenizer::Tokenizer& tokenizer() const override { return backbone_.tokenizer; }
  // Drafts of the draft-model decoders: checkpoints of the same family (load_same_family) with this model's
  // model options, on its dtype, device and executor kind, with the same tokenizer (draft_models.h).
  std::unique_ptr<DraftModels> draft_models(const std::filesystem::path& target_dir) const override;

 protected:
  Qwen2VideoLM(std::filesystem::path dir, Qwen2Backbone backbone, at::ScalarType dtype, std::string device_name);
  // {"name", "family", "path", "dtype", "device", "executor", "kernel", "config": LLM dims + `vision`,
  //  "chat_template": {name, source, sha256}}.
  nlohmann::json describe_common(const nlohmann::json& vision) const;
  // The family's constructor on another folder (a draft checkpoint).
  virtual std::unique_ptr<VideoLM> load_same_family(const std::filesystem::path& dir, const LoadRequest& request) const = 0;

  std::filesystem::path dir_;
  Qwen2Backbone backbone_;
  at::ScalarType dtype_;
  std::string device_name_;
  tokenizer::ChatTemplate chat_template_;  // read by the family's constructor (chat_template.h)
  nlohmann::json load_figures_ = nlohmann::json::object();
  nlohmann::json model_options_ = nlohmann::json::object();  // the request's model options (drafts get them too)
};

// Python's str.rstrip(): drops trailing characters for which str.isspace() is true (ASCII whitespace,
// \x1c-\x1f, U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000), UTF-8.
std::string python_rstrip(const std::string& text);

// Every weight of a Qwen2 decoder (embeddings, norm, head, layers).
std::vector<at::Tensor> llm_tensors(const llm::Decoder& llm);

}  // namespace pevlm
