// Method name -> estimator (issue 25). The parameters are the method's resolved ones
// (methods/xattention.cpp, methods/vertical_slash.cpp validate them when the plan is built).
#include <map>

#include "methods/sparse/sparse_estimator.h"

namespace pevlm {

const char* estimator_products_name(EstimatorProducts p) { return p == EstimatorProducts::Bf16 ? "bf16" : "fp32"; }

const SparseEstimator* find_sparse_estimator(const std::string& method) {
  static const std::map<std::string, SparseEstimator> estimators = {
      {"xattention",
       [](const at::Tensor& q, const at::Tensor& k, const nlohmann::json& p, EstimatorProducts products) {
         const nlohmann::json& c = p.at("chunk_tokens");
         return xattention_estimate(q, k, p.at("block_tokens").get<int64_t>(), p.at("stride").get<int64_t>(),
                                    p.at("threshold").get<double>(), c.is_string() ? 0 : c.get<int64_t>(), products);
       }},
      {"vertical_slash",
       [](const at::Tensor& q, const at::Tensor& k, const nlohmann::json& p, EstimatorProducts products) {
         return vertical_slash_estimate(q, k, p.at("vertical_size").get<int64_t>(), p.at("slash_size").get<int64_t>(),
                                        p.at("last_q").get<int64_t>(), products);
       }},
      {"forced_density",
       [](const at::Tensor& q, const at::Tensor&, const nlohmann::json& p, EstimatorProducts) {
         return SparseEstimate{make_forced_density_plan(q.size(0), q.size(1), p.at("block_tokens").get<int64_t>(),
                                                        p.at("density").get<double>(), uint32_t(p.at("seed").get<int64_t>())),
                               0.0};
       }},
  };
  auto it = estimators.find(method);
  return it == estimators.end() ? nullptr : &it->second;
}

}  // namespace pevlm
