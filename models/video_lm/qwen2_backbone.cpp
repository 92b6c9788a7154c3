// Shared Qwen2 side of LLaVA-Video and LongVILA; see qwen2_backbone.h.
#include "models/video_lm/qwen2_backbone.h"

#include <ATen/ATen.h>

#include <cstdint>
#include <stdexcept>

#include "models/video_lm/decoded_answer.h"
#include "models/video_lm/draft_models.h"

namespace pevlm {

std::vector<at::Tensor> llm_tensors(const llm::Decoder& llm) {
  const auto& w = llm.weights();
  std::vector<at::Tensor> out{w.embed_VD, w.norm_D, w.lm_head_VD};
  for (const auto& l : w.layers)
    for (const at::Tensor& t : {l.input_norm_D, l.q_w, l.q_b, l.k_w, l.k_b, l.v_w, l.v_b, l.o_w, l.q_norm_D, l.k_norm_D,
                                l.post_norm_D, l.gate_w, l.up_w, l.down_w})
      if (t.defined()) out.push_back(t);  // biases / q-k norms exist per decoder variant
  return out;
}

Qwen2Backbone Qwen2Backbone::make(std::unique_ptr<llm::Decoder> llm, std::shared_ptr<attention::Executor> executor,
                                  const std::filesystem::path& tokenizer_dir) {
  if (!executor) throw std::invalid_argument("Qwen2Backbone: no attention executor given");
  Qwen2Backbone b{std::move(llm), std::move(executor), tokenizer::Tokenizer::load(tokenizer_dir), {}};
  for (const char* stop : {"<|im_end|>", "<|endoftext|>"}) {
    try {
      b.stop_ids.push_back(b.tokenizer.token_id(stop));
    } catch (const std::out_of_range&) {
      throw std::runtime_error("tokenizer in " + tokenizer_dir.string() + " has no " + stop + " token");
    }
  }
  return b;
}

std::vector<int64_t> Qwen2Backbone::encode(const std::string& text, bool allow_special) const {
  std::vector<int64_t> ids;
  for (int32_t id : tokenizer.encode(text, allow_special)) ids.push_back(id);
  return ids;
}

at::Tensor Qwen2Backbone::embed(const VideoPrompt& prompt, const at::Tensor& vision) const {
  return embed_at_slots(*llm, prompt.ids, prompt.visual_slots, vision);
}

llm::Session Qwen2Backbone::prefill(const at::Tensor& x_LD, const TokenLayout& layout,
                                              const MethodConfig& method) const {
  return llm->prefill(x_LD, build_plan(method, layout), *executor);
}

MethodAnswer Qwen2Backbone::answer(const at::Tensor& x_LD, const TokenLayout& layout, const MethodConfig& method,
                                   int64_t max_new_tokens, const DecoderConfig& decoder, const DraftInput* draft) const {
  return answer_with_decoder({*llm, *executor, tokenizer, stop_ids}, x_LD, layout, build_plan(method, layout), max_new_tokens,
                             decoder, draft);
}

MethodAnswer Qwen2Backbone::answer_session(llm::Session& session, int64_t max_new_tokens) const {
  llm::GenerationOptions gen;
  gen.max_new_tokens = max_new_tokens;
  gen.stop_ids = stop_ids;
  const llm::GenerationResult result = llm->generate(session, gen);
  std::vector<int32_t> ids(result.tokens.begin(), result.tokens.end());
  return MethodAnswer{tokenizer.decode(ids, /*skip_special=*/true), result.tokens, session.plan.token_counts(),
                      session.timings, std::nullopt, nullptr};
}

std::unique_ptr<DraftModels> Qwen2VideoLM::draft_models(const std::filesystem::path& target_dir) const {
  LoadRequest request;
  request.dtype = dtype_name();
  request.device = backbone_.llm->device();
  request.device_name = device_name_;
  request.options = model_options_;
  auto load = [this](const std::filesystem::path& dir, const LoadRequest& r) { return load_same_family(dir, r); };
  auto check = [](const VideoLM& target, const VideoLM& draft) {
    return tokenizer_mismatch(static_cast<const Qwen2VideoLM&>(target).tokenizer(),
                              static_cast<const Qwen2VideoLM&>(draft).tokenizer());
  };
  return std::make_unique<SameFamilyDraftModels>(*this, target_dir.string(), request, load, check);
}

std::vector<at::Tensor> Qwen2Backbone::tensors() const { return llm_tensors(*llm); }

nlohmann::json Qwen2Backbone::dims() const {
  const auto& t = llm->text();
  return {{"hidden", t.hidden_size},   {"layers", t.num_layers},         {"heads", t.num_heads},
          {"kv_heads", t.num_kv_heads}, {"head_dim", t.head_dim},        {"intermediate", t.intermediate_size},
          {"vocab", t.vocab_size},      {"rope_theta", t.rope_theta},    {"positions", "1-D"}};
}

VideoPrompt Qwen2Backbone::chat_prompt(const VideoInput& video, const std::vector<int64_t>& frame_visual, int64_t frame_end_id,
                                       const std::string& system_prompt, const std::string& text_prefix,
                                       const std::string& question, const std::string& media, bool strip_user_text) const {
  VideoPrompt p;
  const std::string header = "<|im_start|>system\n" + system_prompt + "<|im_end|>\n<|im_start|>user\n";
  p.ids = encode(header, true);
  TokenLayout& layout = p.layout;
  if (!p.ids.empty()) layout.spans.push_back(Span{SpanKind::Text, 0, int64_t(p.ids.size())});
  std::string user_text;
  size_t frame = 0;
  for (const UserPiece& piece : video.pieces) {
    if (piece.chunk < 0) {
      user_text += piece.text;
      continue;
    }
    for (int64_t f = 0; f < video.chunks.at(size_t(piece.chunk)).grid[0]; ++f, ++frame) {
      if (frame >= frame_visual.size())
        throw std::invalid_argument("chat_prompt: the video has more frames than the " + std::to_string(frame_visual.size()) +
                                    " token counts given");
      const int64_t begin = int64_t(p.ids.size());
      for (int64_t i = 0; i < frame_visual[frame]; ++i) {
        p.visual_slots.push_back(begin + i);
        p.ids.push_back(0);  // placeholder, replaced by the frame's embeddings
      }
      if (frame_end_id >= 0) p.ids.push_back(frame_end_id);
      layout.spans.push_back(Span{SpanKind::Frame, begin, int64_t(p.ids.size()), int64_t(frame)});
    }
  }
  const int64_t question_begin = int64_t(p.ids.size());
  const std::string tail =
      strip_user_text ? python_rstrip(text_prefix + user_text + question) : text_prefix + user_text + question;
  for (int64_t id : encode(tail, false)) p.ids.push_back(id);
  for (int64_t id : encode("<|im_end|>\n<|im_start|>assistant\n", true)) p.ids.push_back(id);
  p.text = header + media + tail + "<|im_end|>\n<|im_start|>assistant\n";
  layout.length = int64_t(p.ids.size());
  if (frame == 0) layout.spans.clear();  // no video: the whole user turn is text before the question
  if (frame == 0 && question_begin > 0) layout.spans.push_back(Span{SpanKind::Text, 0, question_begin});
  layout.spans.push_back(Span{SpanKind::Question, question_begin, layout.length});
  layout.positions = PositionIds(1, layout.length);
  for (int64_t i = 0; i < layout.length; ++i) layout.positions.at(0, i) = i;  // plain 1-D RoPE
  layout.validate();
  return p;
}

Qwen2Backbone load_qwen2_backbone(const safetensors::Checkpoint& checkpoint, const llm::TextConfig& text,
                                  const std::string& prefix, const std::string& lm_head_name,
                                  const std::filesystem::path& tokenizer_dir, at::ScalarType dtype, const LoadRequest& request) {
  llm::DecoderOptions options;
  options.dtype = dtype;
  options.device = request.device;
  llm::Weights w = llm::load_weights_at(checkpoint, text, prefix, lm_head_name, dtype, request.device);
  return Qwen2Backbone::make(std::make_unique<llm::Decoder>(text, std::move(w), options),
                             request.executor, tokenizer_dir);
}

Qwen2VideoLM::Qwen2VideoLM(std::filesystem::path dir, Qwen2Backbone backbone, at::ScalarType dtype, std::string device_name)
    : dir_(std::move(dir)), backbone_(std::move(backbone)), dtype_(dtype), device_name_(std::move(device_name)) {}

nlohmann::json Qwen2VideoLM::describe_common(const nlohmann::json& vision) const {
  nlohmann::json dims = backbone_.dims();
  dims["vision"] = vision;
  return {{"name", dir_.filename().string()}, {"family", family()}, {"path", std::filesystem::absolute(dir_).string()},
          {"dtype", dtype_name()}, {"device", device_name_}, {"executor", backbone_.executor->name()},
          {"kernel", backbone_.executor->kernel()}, {"config", dims}, {"chat_template", chat_template_.to_json()}};
}

std::string python_rstrip(const std::string& text) {
  // Code points with str.isspace() true (CPython's _PyUnicode_IsWhitespace table).
  auto is_space = [](uint32_t c) {
    return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20) || c == 0x85 || c == 0xa0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
  };
  size_t end = text.size();
  while (end > 0) {
    size_t start = end - 1;  // back to the lead byte of the last code point
    while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xc0) == 0x80 && end - start < 4) --start;
    const auto* p = reinterpret_cast<const unsigned char*>(text.data()) + start;
    const size_t n = end - start;
    uint32_t c = p[0];
    if (n == 2 && (p[0] & 0xe0) == 0xc0) c = (p[0] & 0x1fu) << 6 | (p[1] & 0x3fu);
    else if (n == 3 && (p[0] & 0xf0) == 0xe0) c = (p[0] & 0x0fu) << 12 | (p[1] & 0x3fu) << 6 | (p[2] & 0x3fu);
    else if (n != 1 || p[0] >= 0x80) break;  // a 4-byte code point (never whitespace) or invalid UTF-8: stop
    if (!is_space(c)) break;
    end = start;
  }
  return text.substr(0, end);
}

}  // namespace pevlm
