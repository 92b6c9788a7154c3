// The Qwen decoder: construction, embeddings, layer pieces, norm and head; see decoder.h.
// The prefill / decode / generate loops are in session.cpp.
#include "models/llm/decoder.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "attention/devices.h"

namespace pevlm::llm {
namespace {

constexpr int64_t kKvHeadroom = 256;  // KV rows reserved for decoding after a prefill

// Converts a weight to the compute dtype (no-op when it already is); every weight must already be on
// `device` (load_weights / random weights put them there): a weight elsewhere is a placement bug
// that would otherwise surface as a device-mismatch error deep inside a layer.
void cast_weights(Weights& w, at::ScalarType dtype, const at::Device& device) {
  auto c = [&](at::Tensor& t, const std::string& name) {
    if (t.device() != device)
      throw std::invalid_argument("Decoder: weight " + name + " is on " + t.device().str() + ", the model on " + device.str());
    t = t.to(dtype, /*non_blocking=*/false, /*copy=*/false, at::MemoryFormat::Preserve);
  };
  const bool tied_storage = w.lm_head_VD.is_same(w.embed_VD);
  c(w.embed_VD, "embed_tokens");
  c(w.norm_D, "norm");
  if (tied_storage) w.lm_head_VD = w.embed_VD;
  else c(w.lm_head_VD, "lm_head");
  for (size_t n = 0; n < w.layers.size(); ++n) {
    LayerWeights& l = w.layers[n];
    for (at::Tensor* t : {&l.input_norm_D, &l.q_w, &l.q_b, &l.k_w, &l.k_b, &l.v_w, &l.v_b, &l.o_w,
                          &l.q_norm_D, &l.k_norm_D, &l.post_norm_D, &l.gate_w, &l.up_w, &l.down_w})
      if (t->defined()) c(*t, "layers." + std::to_string(n));  // biases / q-k norms exist per variant
  }
}

}  // namespace

Decoder::Decoder(TextConfig text, Weights weights, DecoderOptions options)
    : text_(std::move(text)), weights_(std::move(weights)), options_(options) {
  if (options_.dtype != at::kFloat && options_.dtype != at::kBFloat16)
    throw std::invalid_argument(std::string("Decoder: compute dtype must be float32 or bfloat16, got ") +
                                c10::toString(options_.dtype));
  if (int64_t(weights_.layers.size()) != text_.num_layers)
    throw std::invalid_argument("Decoder: weights have " + std::to_string(weights_.layers.size()) +
                                " layers, config num_hidden_layers = " + std::to_string(text_.num_layers));
  if (options_.mlp_chunk_rows < 1)
    throw std::invalid_argument("Decoder: mlp_chunk_rows must be >= 1, got " + std::to_string(options_.mlp_chunk_rows));
  validate_rope(text_, "Decoder");
  // "cuda" and cuda:0 are one device: compare with what the weights report (attention/devices.h).
  options_.device = attention::indexed_device(options_.device);
  cast_weights(weights_, options_.dtype, options_.device);
}

at::Tensor Decoder::embed(const std::vector<int64_t>& ids) const {
  for (size_t i = 0; i < ids.size(); ++i)
    if (ids[i] < 0 || ids[i] >= text_.vocab_size)
      throw std::invalid_argument("token id " + std::to_string(ids[i]) + " at position " + std::to_string(i) +
                                  " is outside the vocabulary [0, " + std::to_string(text_.vocab_size) + ")");
  at::Tensor ids_L = at::tensor(ids, at::kLong).to(options_.device);
  return weights_.embed_VD.index_select(0, ids_L);  // [L, hidden]
}

at::Tensor Decoder::embed_with_vision(const std::vector<int64_t>& ids, const at::Tensor& vision_ND,
                                      int64_t pad_id) const {
  std::vector<int64_t> slots;
  for (size_t i = 0; i < ids.size(); ++i)
    if (ids[i] == pad_id) slots.push_back(int64_t(i));
  if (!vision_ND.defined() || vision_ND.dim() != 2 || vision_ND.size(1) != text_.hidden_size)
    throw std::invalid_argument("vision embeddings must be [N, " + std::to_string(text_.hidden_size) +
                                "], got " + (vision_ND.defined() ? c10::str(vision_ND.sizes()) : "undefined"));
  if (int64_t(slots.size()) != vision_ND.size(0))
    throw std::invalid_argument("the prompt has " + std::to_string(slots.size()) + " vision pad tokens (id " +
                                std::to_string(pad_id) + ") but " + std::to_string(vision_ND.size(0)) +
                                " vision embeddings were given; the counts must match");
  at::Tensor x_LD = embed(ids);
  if (!slots.empty())
    x_LD.index_copy_(0, at::tensor(slots, at::kLong).to(x_LD.device()), vision_ND.to(x_LD.device(), x_LD.scalar_type()));
  return x_LD;
}

at::Tensor Decoder::rms_norm(const at::Tensor& x_LD, const at::Tensor& weight_D) const {
  // Qwen2_5_VLRMSNorm: float32 variance and scaling, cast back, then weight in the compute dtype.
  at::Tensor xf = x_LD.to(at::kFloat);
  xf = xf * at::rsqrt(xf.pow(2).mean(-1, /*keepdim=*/true) + text_.rms_norm_eps);
  return weight_D * xf.to(options_.dtype);
}

at::Tensor Decoder::lm_head(const at::Tensor& hn_LD) const {
  return at::linear(hn_LD, weights_.lm_head_VD).to(at::kFloat);
}

Decoder::Qkv Decoder::attention_inputs(int64_t n, const at::Tensor& x_LD, const RotaryTables& rope) const {
  const LayerWeights& w = weights_.layers[size_t(n)];
  const int64_t L = x_LD.size(0), D = text_.head_dim;
  at::Tensor h_LD = rms_norm(x_LD, w.input_norm_D);
  at::Tensor q_LHD = at::linear(h_LD, w.q_w, w.q_b).view({L, text_.num_heads, D});
  at::Tensor k_LHD = at::linear(h_LD, w.k_w, w.k_b).view({L, text_.num_kv_heads, D});
  at::Tensor v_LHD = at::linear(h_LD, w.v_w, w.v_b).view({L, text_.num_kv_heads, D});
  if (text_.qk_norm) {  // Qwen3Attention: q_norm / k_norm over head_dim, before the rotary
    q_LHD = rms_norm(q_LHD, w.q_norm_D);
    k_LHD = rms_norm(k_LHD, w.k_norm_D);
  }
  return {apply_rotary(q_LHD, rope), apply_rotary(k_LHD, rope), v_LHD};
}

at::Tensor Decoder::finish_layer(int64_t n, const at::Tensor& x_LD, const at::Tensor& attn_LHD) const {
  const LayerWeights& w = weights_.layers[size_t(n)];
  const int64_t L = x_LD.size(0);
  at::Tensor h_LD = x_LD + at::linear(attn_LHD.reshape({L, -1}), w.o_w);
  // Post-norm + SwiGLU, row-wise, in chunks of mlp_chunk_rows: the [rows, intermediate] activations
  // are the largest tensors of a long prefill. Written into h_LD (the residual) chunk by chunk.
  for (int64_t r = 0; r < L; r += options_.mlp_chunk_rows) {
    at::Tensor h_rD = h_LD.narrow(0, r, std::min(options_.mlp_chunk_rows, L - r));
    at::Tensor m_rD = rms_norm(h_rD, w.post_norm_D);
    at::Tensor gate_rF = at::silu(at::linear(m_rD, w.gate_w));  // [rows, intermediate]
    gate_rF.mul_(at::linear(m_rD, w.up_w));
    h_rD.add_(at::linear(gate_rF, w.down_w));
  }
  return h_LD;
}

void Decoder::store_kv(KvCache& cache, int64_t n, int64_t at, const Qkv& qkv) const {
  const int64_t rows = qkv.k_LHD.size(0);
  at::Tensor& k = cache.k_LHD[size_t(n)];
  at::Tensor& v = cache.v_LHD[size_t(n)];
  const int64_t need = at + rows;
  if (!k.defined() || k.size(0) < need) {
    // Room for 256 decode tokens after the prefill; later growth by 1/8 (amortised O(1) copies per
    // token) instead of doubling, which would double a 100k-token cache for one extra token.
    const int64_t capacity = need + std::max<int64_t>(kKvHeadroom, at == 0 ? 0 : need / 8);
    at::Tensor k_new = at::empty({capacity, text_.num_kv_heads, text_.head_dim}, qkv.k_LHD.options());
    at::Tensor v_new = at::empty_like(k_new);
    if (k.defined() && at > 0) {
      k_new.narrow(0, 0, at).copy_(k.narrow(0, 0, at));
      v_new.narrow(0, 0, at).copy_(v.narrow(0, 0, at));
    }
    k = k_new;
    v = v_new;
  }
  k.narrow(0, at, rows).copy_(qkv.k_LHD);
  v.narrow(0, at, rows).copy_(qkv.v_LHD);
}

}  // namespace pevlm::llm
