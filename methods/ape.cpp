// APE, Adaptive Parallel Encoding (Yang et al., ICLR 2025; Infini-AI-Lab/APE ape/ape_llama.py,
// methods.md): a shared prefix encoded causally, context blocks attending to prefix + themselves,
// original positions "reuse". The question (and decode) merge the tempered context group with the
// prefix/question group: out = (Z_C^(S*T) O_C + Z_O O_O) / (Z_C^(S*T) + Z_O), Z_C over exp(s/T).
#include <stdexcept>

#include "methods/method_registry.h"

namespace pevlm {
namespace {

AttentionPlan build(const TokenLayout& layout, const nlohmann::json& p) {
  const double temperature = p["temperature"].get<double>();
  const double scale = p["scale"].get<double>();
  if (!(temperature > 0) || !(scale > 0))
    throw std::invalid_argument("method 'ape': temperature and scale must be > 0 (got T=" + std::to_string(temperature) +
                                ", S=" + std::to_string(scale) + ")");
  ParallelSpec spec{.method = "ape", .params = p, .head_role = "prefix"};
  spec.head_end = leading_end(layout, unit_param(p, "prefix"));
  spec.blocks = cut_blocks(layout, spec.head_end, unit_param(p, "block"));
  spec.shared_end = spec.head_end;
  spec.first_context_block = 0;
  spec.reuse_positions = reuse_requested(p);
  spec.context_group = LogitGroup{"ape_context", temperature, scale * temperature};
  return build_parallel_plan(layout, spec);
}

}  // namespace

MethodSpec ape_method() {
  return MethodSpec{"ape",
                    "shared prefix + parallel blocks; query merges the context group with temperature T and scale S",
                    {
                        {"prefix_tokens", ParamSpec::Kind::Int, 256, {}, "prefix", "prefix size in tokens (paper: 256)"},
                        {"prefix_frames", ParamSpec::Kind::Int, nullptr, {}, "prefix", "prefix = leading text + k frames"},
                        {"block_tokens", ParamSpec::Kind::Int, 4096, {}, "block", "block size in tokens (paper: 4096)"},
                        {"block_frames", ParamSpec::Kind::Int, nullptr, {}, "block", "block size in frames"},
                        {"temperature", ParamSpec::Kind::Double, 0.9, {}, "", "T: context logits are divided by T"},
                        {"scale", ParamSpec::Kind::Double, 0.9, {}, "", "S: the context group is weighted by Z_C^(S*T)"},
                        positions_param("reuse"),
                    },
                    build};
}

}  // namespace pevlm
