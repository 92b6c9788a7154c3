#include "harness/simulate/cost_model.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "models/llm/qwen2_7b.h"

namespace pevlm {
namespace {

std::string row_key(const nlohmann::json& row) { return row.value("key", std::string("?")); }

int64_t int_at(const nlohmann::json& obj, const std::string& key, const std::string& where) {
  if (!obj.is_object() || !obj.contains(key) || !obj[key].is_number_integer() || obj[key].get<int64_t>() < 0)
    throw std::runtime_error(where + ": key '" + key + "' missing or not a non-negative integer");
  return obj[key].get<int64_t>();
}

}  // namespace

ModelDims qwen2_5_vl_7b_dims() {
  const llm::TextConfig t = llm::qwen2_7b_dims();
  ModelDims d;
  d.hidden = t.hidden_size, d.layers = t.num_layers, d.heads = t.num_heads, d.kv_heads = t.num_kv_heads;
  d.head_dim = t.head_dim, d.intermediate = t.intermediate_size, d.vocab = t.vocab_size;
  d.has_vision = true;  // VisionDims defaults are Qwen2.5-VL's
  return d;
}

ModelDims model_dims_from_row(const nlohmann::json& row) {
  const std::string where = "result row '" + row_key(row) + "' model.config";
  if (!row.contains("model") || !row["model"].contains("config")) throw std::runtime_error(where + ": missing");
  const auto& c = row["model"]["config"];
  ModelDims d;
  d.hidden = int_at(c, "hidden", where), d.layers = int_at(c, "layers", where), d.heads = int_at(c, "heads", where);
  d.kv_heads = int_at(c, "kv_heads", where), d.head_dim = int_at(c, "head_dim", where);
  d.intermediate = int_at(c, "intermediate", where), d.vocab = int_at(c, "vocab", where);
  if (c.contains("vision")) {
    const auto& v = c["vision"];
    const std::string vw = where + ".vision";
    d.has_vision = true;
    d.vision.depth = int_at(v, "depth", vw), d.vision.hidden = int_at(v, "hidden", vw), d.vision.heads = int_at(v, "heads", vw);
    d.vision.intermediate = int_at(v, "intermediate", vw), d.vision.fullatt_blocks = int_at(v, "fullatt_blocks", vw);
    d.vision.window_tokens = int_at(v, "window_tokens", vw);
    if (v.contains("patch_dim")) d.vision.patch_dim = int_at(v, "patch_dim", vw);
    if (v.contains("merge")) d.vision.merge = int_at(v, "merge", vw);
  }
  return d;
}

PlanTokens plan_tokens_from_row(const nlohmann::json& row) {
  const std::string where = "result row '" + row_key(row) + "' tokens";
  if (!row.contains("tokens")) throw std::runtime_error(where + ": missing");
  const auto& t = row["tokens"];
  PlanTokens p;
  p.total = int_at(t, "total", where);
  p.sink = t.contains("sink") ? int_at(t, "sink", where) : 0;
  p.question = t.contains("question") ? int_at(t, "question", where) : 0;
  if (t.contains("blocks")) {
    if (!t["blocks"].is_array()) throw std::runtime_error(where + ": key 'blocks' must be an array of token counts");
    for (const auto& b : t["blocks"]) {
      if (!b.is_number_integer() || b.get<int64_t>() <= 0) throw std::runtime_error(where + ": blocks entries must be positive integers");
      p.blocks.push_back(b.get<int64_t>());
    }
  }
  int64_t covered = p.sink + p.question;
  for (int64_t b : p.blocks) covered += b;
  if (!p.blocks.empty() && covered != p.total)
    throw std::runtime_error(where + ": sink + blocks + question = " + std::to_string(covered) + " != total " + std::to_string(p.total));
  if (p.blocks.empty() && covered > p.total) throw std::runtime_error(where + ": sink + question exceed total");
  // Star's original re-encodes the anchor with every block (methods.md; methods/star.cpp).
  const nlohmann::json params = row.value("params", nlohmann::json::object());
  if (row.value("method", std::string()) == "star" && params.value("recompute_anchor", true)) p.redundant_blocks = int64_t(p.blocks.size());
  if (row.contains("sparse")) {
    const std::string sw = "result row '" + row_key(row) + "' sparse";
    const auto& sp = row["sparse"];
    if (!sp.is_object() || !sp.contains("density") || !sp["density"].is_object() || !sp["density"].contains("mean") ||
        !sp["density"]["mean"].is_number() || !sp.contains("estimator_flops") || !sp["estimator_flops"].is_number() ||
        !sp.contains("layers") || !sp["layers"].is_array() || sp["layers"].empty())
      throw std::runtime_error(sw + ": expected {density: {mean}, estimator_flops, layers: [...]}");
    p.kept_density = sp["density"]["mean"].get<double>();
    if (!(p.kept_density > 0 && p.kept_density <= 1)) throw std::runtime_error(sw + ": density.mean must be in (0, 1]");
    p.estimator_flops_per_layer = sp["estimator_flops"].get<double>() / double(sp["layers"].size());
  }
  return p;
}

double attention_pairs(const PlanTokens& p) {
  if (p.blocks.empty()) {
    // Full attention, or a plan whose context is one causal range (sink only): causal over the
    // context, then the question over everything before it + itself = causal over all L; a
    // data-dependent method keeps `kept_density` of those pairs.
    return p.kept_density * causal_pairs(double(p.total));
  }
  const double S = double(p.sink), Q = double(p.question), L = double(p.total);
  double pairs = causal_pairs(S);
  for (int64_t b : p.blocks) pairs += double(b) * S + causal_pairs(double(b));
  pairs += Q * (L - Q) + causal_pairs(Q);
  pairs += double(p.redundant_blocks) * causal_pairs(S);
  return pairs;
}

OpCost linear_op(const std::string& name, double tokens, int64_t in, int64_t out, bool bias, double bpe) {
  OpCost op{name, OpKind::Matmul};
  op.flops = 2.0 * tokens * double(in) * double(out);
  op.bytes = bpe * (double(in) * double(out) + (bias ? double(out) : 0.0) + tokens * double(in) + tokens * double(out));
  return op;
}

std::vector<OpCost> decoder_layer_prefill_ops(const ModelDims& d, const PlanTokens& plan, double bpe) {
  const double T = double(plan.processed_tokens());
  const int64_t q_dim = d.heads * d.head_dim, kv_dim = d.kv_heads * d.head_dim;
  std::vector<OpCost> ops;
  ops.push_back(linear_op("qkv_proj", T, d.hidden, q_dim + 2 * kv_dim, true, bpe));
  OpCost attn{"attention", OpKind::Attention};
  attn.flops = 4.0 * double(q_dim) * attention_pairs(plan);  // QK^T and PV, 2 FLOPs per MAC each
  attn.bytes = bpe * T * double(2 * q_dim + 2 * kv_dim);     // Q, K, V read once, O written once (flash)
  ops.push_back(attn);
  if (plan.estimator_flops_per_layer > 0) {
    OpCost est{"sparse_estimator", OpKind::Attention};  // its QK^T products (XAttention, vertical-slash)
    est.flops = plan.estimator_flops_per_layer;
    est.bytes = bpe * T * double(q_dim + kv_dim);  // Q and K read once
    ops.push_back(est);
  }
  ops.push_back(linear_op("o_proj", T, q_dim, d.hidden, false, bpe));
  ops.push_back(linear_op("gate_up_proj", T, d.hidden, 2 * d.intermediate, false, bpe));
  ops.push_back(linear_op("down_proj", T, d.intermediate, d.hidden, false, bpe));
  // Two RMSNorms (read+write H), two residual adds (read 2H, write H), RoPE on q and k (read+write),
  // SiLU(gate) * up (read 2I, write I): elements per token.
  OpCost elem{"elementwise", OpKind::Memory};
  elem.bytes = bpe * T * double(4 * d.hidden + 6 * d.hidden + 2 * (q_dim + kv_dim) + 3 * d.intermediate);
  ops.push_back(elem);
  return ops;
}

std::vector<OpCost> decoder_layer_decode_ops(const ModelDims& d, double context, double bpe) {
  PlanTokens one;
  one.total = 1;
  std::vector<OpCost> ops = decoder_layer_prefill_ops(d, one, bpe);
  const int64_t q_dim = d.heads * d.head_dim, kv_dim = d.kv_heads * d.head_dim;
  for (OpCost& op : ops)
    if (op.kind == OpKind::Attention) {
      op.flops = 4.0 * double(q_dim) * (context + 1);                      // one query over the cache + itself
      op.bytes = bpe * (2.0 * double(kv_dim) * (context + 1) + 2.0 * double(q_dim));  // the KV cache is read once
    }
  return ops;
}

std::vector<OpCost> vision_ops(const VisionDims& v, int64_t llm_hidden, double P, double grid_steps, double bpe) {
  std::vector<OpCost> ops;
  if (P <= 0) return ops;
  const double per_step = P / std::max(1.0, grid_steps);
  ops.push_back(linear_op("vision.patch_embed", P, v.patch_dim, v.hidden, false, bpe));
  auto per_block = [&](const std::string& prefix, double count, double window) {
    std::vector<OpCost> b = {linear_op(prefix + ".qkv", P, v.hidden, 3 * v.hidden, true, bpe),
                             linear_op(prefix + ".proj", P, v.hidden, v.hidden, true, bpe),
                             linear_op(prefix + ".gate_up", P, v.hidden, 2 * v.intermediate, true, bpe),
                             linear_op(prefix + ".down", P, v.intermediate, v.hidden, true, bpe)};
    OpCost attn{prefix + ".attention", OpKind::Attention};
    attn.flops = 4.0 * double(v.hidden) * P * window;  // non-causal: every patch sees its whole window
    attn.bytes = bpe * P * 4.0 * double(v.hidden);
    b.push_back(attn);
    OpCost elem{prefix + ".elementwise", OpKind::Memory};
    elem.bytes = bpe * P * double(10 * v.hidden + 4 * v.hidden + 3 * v.intermediate);
    b.push_back(elem);
    for (OpCost& op : b) op.count = count;
    ops.insert(ops.end(), b.begin(), b.end());
  };
  // Window blocks: windows of window_tokens patches (edge windows are smaller: an upper bound).
  per_block("vision.window_block", double(v.depth - v.fullatt_blocks), std::min(double(v.window_tokens), per_step));
  per_block("vision.full_block", double(v.fullatt_blocks), per_step);  // "full" = one temporal grid step
  const double merged = P / double(v.merge);
  ops.push_back(linear_op("vision.merger.mlp0", merged, v.merge * v.hidden, v.merge * v.hidden, true, bpe));
  ops.push_back(linear_op("vision.merger.mlp2", merged, v.merge * v.hidden, llm_hidden, true, bpe));
  return ops;
}

double op_seconds(const OpCost& op, const DeviceProfile& dev) {
  const double rate = op.kind == OpKind::Attention ? dev.attention_flops_per_s() : dev.matmul_flops_per_s();
  const double compute = op.kind == OpKind::Memory ? 0.0 : op.flops / rate;
  return op.count * std::max(compute, op.bytes / dev.bytes_per_s());
}

nlohmann::json SampleCost::to_json() const {
  return {{"vision_ms", vision_ms},           {"prefill_attention_ms", prefill_attention_ms},
          {"prefill_other_ms", prefill_other_ms}, {"decode_ms", decode_ms},
          {"total_ms", total_ms()},          {"vision_flops", vision_flops},
          {"prefill_attention_flops", prefill_attention_flops}, {"prefill_other_flops", prefill_other_flops},
          {"decode_flops", decode_flops}};
}

SampleShape sample_shape_from_row(const nlohmann::json& row) {
  SampleShape s;
  s.dims = model_dims_from_row(row);
  s.plan = plan_tokens_from_row(row);
  const std::string where = "result row '" + row_key(row) + "'";
  s.vision_patches = row.contains("vision_patches") ? double(int_at(row, "vision_patches", where)) : 0.0;
  if (s.vision_patches > 0 && !s.dims.has_vision)
    throw std::runtime_error(where + ": has vision_patches but model.config has no 'vision' block to cost them with");
  if (row.contains("grid")) {
    const auto& g = row["grid"];
    s.grid_steps = double(g.is_array() ? g.at(0).get<int64_t>() : int_at(g, "t", where + " grid"));
  } else if (row.contains("frames")) {
    s.grid_steps = std::ceil(double(int_at(row, "frames", where)) / 2.0);
  } else if (s.vision_patches > 0) {
    throw std::runtime_error(where + ": needs 'grid' or 'frames' to place the vision tower's full-attention blocks");
  }
  s.generated_tokens = row.contains("generated_tokens") ? std::max<int64_t>(1, int_at(row, "generated_tokens", where)) : 1;
  if (row.contains("reduction") && row["reduction"].is_object() && row["reduction"].contains("from_layer")) {
    if (!row["tokens"].contains("after_reduction") || !row["tokens"]["after_reduction"].is_object())
      throw std::runtime_error(where + ": an in-LLM reduction needs tokens.after_reduction (the kept tokens' plan)");
    nlohmann::json after = row;
    after["tokens"] = row["tokens"]["after_reduction"];
    s.plan_after = plan_tokens_from_row(after);
    s.reduced_from_layer = int_at(row["reduction"], "from_layer", where + " reduction");
    if (s.reduced_from_layer < 1 || s.reduced_from_layer > s.dims.layers)
      throw std::runtime_error(where + ": reduction.from_layer " + std::to_string(s.reduced_from_layer) + " outside 1.." +
                               std::to_string(s.dims.layers));
  }
  return s;
}

SampleCost predict_sample(const SampleShape& s, const DeviceProfile& dev) {
  const double bpe = dev.bytes_per_element, ms = 1e3;
  const double layers = double(s.dims.layers);
  SampleCost c;
  for (const OpCost& op : vision_ops(s.dims.vision, s.dims.hidden, s.vision_patches, s.grid_steps, bpe)) {
    c.vision_ms += op_seconds(op, dev) * ms;
    c.vision_flops += op.flops * op.count;
  }
  if (s.vision_patches > 0) c.vision_ms += double(s.dims.vision.depth) * dev.layer_overhead_ms;
  // Two phases with an in-LLM reduction (FastV): N tokens up to its layer, the kept N' after it.
  const bool reduced = s.reduced_from_layer >= 0;
  const double layers_before = reduced ? double(s.reduced_from_layer) : layers, layers_after = layers - layers_before;
  auto add_prefill = [&](const PlanTokens& plan, double n_layers) {
    for (const OpCost& op : decoder_layer_prefill_ops(s.dims, plan, bpe)) {
      double& t = op.kind == OpKind::Attention ? c.prefill_attention_ms : c.prefill_other_ms;
      double& f = op.kind == OpKind::Attention ? c.prefill_attention_flops : c.prefill_other_flops;
      t += n_layers * op_seconds(op, dev) * ms;
      f += n_layers * op.flops * op.count;
    }
  };
  add_prefill(s.plan, layers_before);
  if (reduced) add_prefill(s.plan_after, layers_after);
  // lm_head for the last prompt token only (the first generated token).
  const OpCost head = linear_op("lm_head", 1, s.dims.hidden, s.dims.vocab, false, bpe);
  c.prefill_other_ms += op_seconds(head, dev) * ms + layers * dev.layer_overhead_ms;
  c.prefill_other_flops += head.flops;
  // Decode: the first token comes from prefill; each further token reads all weights + the cache.
  for (int64_t i = 1; i < s.generated_tokens; ++i) {
    for (const auto& [n_layers, prompt] : {std::pair{layers_before, s.plan.total}, std::pair{layers_after, s.plan_after.total}}) {
      if (n_layers <= 0) continue;
      for (const OpCost& op : decoder_layer_decode_ops(s.dims, double(prompt + i - 1), bpe)) {
        c.decode_ms += n_layers * op_seconds(op, dev) * ms;
        c.decode_flops += n_layers * op.flops;
      }
    }
    c.decode_ms += op_seconds(head, dev) * ms + layers * dev.layer_overhead_ms;
    c.decode_flops += head.flops;
  }
  return c;
}

}  // namespace pevlm
