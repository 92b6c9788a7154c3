// Qwen3-VL decoder variant and DeepStack adds; see text.h.
#include "models/qwen3_vl/text.h"

#include <ATen/ATen.h>

#include <stdexcept>
#include <string>

namespace pevlm::qwen3_vl {

at::Tensor with_deepstack(const at::Tensor& x_LD, const std::vector<int64_t>& ids, int64_t pad_id,
                          const std::vector<at::Tensor>& features) {
  if (x_LD.dim() != 2 || x_LD.size(0) != int64_t(ids.size()))
    throw std::invalid_argument("DeepStack: embeddings " + c10::str(x_LD.sizes()) + " do not match " +
                                std::to_string(ids.size()) + " prompt ids");
  if (features.empty()) return x_LD;
  const int64_t H = x_LD.size(1);
  std::vector<int64_t> rows;
  for (size_t i = 0; i < ids.size(); ++i)
    if (ids[i] == pad_id) rows.push_back(int64_t(i));
  at::Tensor out = at::zeros({x_LD.size(0), H * int64_t(1 + features.size())}, x_LD.options());
  out.narrow(1, 0, H).copy_(x_LD);
  at::Tensor rows_N = at::tensor(rows, at::kLong).to(x_LD.device());
  for (size_t j = 0; j < features.size(); ++j) {
    const at::Tensor& f = features[j];
    if (f.dim() != 2 || f.size(0) != int64_t(rows.size()) || f.size(1) != H)
      throw std::invalid_argument("DeepStack feature " + std::to_string(j) + " has shape " + c10::str(f.sizes()) +
                                  "; the prompt has " + std::to_string(rows.size()) + " visual tokens (id " +
                                  std::to_string(pad_id) + ") of width " + std::to_string(H));
    out.narrow(1, H * int64_t(j + 1), H).index_copy_(0, rows_N, f.to(x_LD.options()));
  }
  return out;
}

}  // namespace pevlm::qwen3_vl
