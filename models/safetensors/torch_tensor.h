// Bridges between safetensors views and ATen tensors (library pevlm_safetensors_torch).
#pragma once

#include <ATen/ATen.h>

#include <string>
#include <vector>

#include "models/safetensors/safetensors.h"

namespace pevlm::safetensors {

// DType <-> at::ScalarType (BF16 <-> kBFloat16, BOOL <-> kBool, ...). The reverse throws
// std::invalid_argument for scalar types the format does not carry (complex, quantised, ...).
at::ScalarType to_scalar_type(DType dtype);
DType from_scalar_type(at::ScalarType type);

// Zero-copy CPU tensor over the mapped bytes (at::from_blob, no deleter).
// LIFETIME: the SafetensorsFile / Checkpoint the view came from must outlive the returned
// tensor and every tensor that shares its storage (views, slices). Treat it as read-only:
// the mapping is copy-on-write, so an in-place op changes only this process's pages.
// If the data is not aligned to its element size (possible in files from non-reference
// writers), a copy is returned instead, so the result is always safe to use.
at::Tensor to_tensor(const TensorView& view);

// Owning copy (independent of the file's lifetime).
at::Tensor to_tensor_copy(const TensorView& view);

// The tensor on `device` in `dtype`, straight from the mapping: on the CPU a view of the mapping when
// the dtype matches (else one converted copy); on an accelerator the raw bytes travel through two
// pinned staging buffers of `staging_bytes` in chunks (the copy of one chunk overlaps filling the
// next), land in a device tensor of the file's dtype, and are converted there. No second full host
// copy of a checkpoint is ever made: host memory beyond the page cache is 2 x staging_bytes.
// `copy` forces an owning result on the CPU (detached from the mapping's lifetime).
at::Tensor to_device_tensor(const TensorView& view, const at::Device& device, at::ScalarType dtype, bool copy = false,
                            int64_t staging_bytes = int64_t(64) << 20);

// `name` from `checkpoint` as to_device_tensor, after checking it exists with `shape`. Throws
// std::runtime_error naming the checkpoint folder, the tensor, its file and the expected shape
// (`what` says where the expectation comes from, e.g. "the vision config").
at::Tensor load_checked(const Checkpoint& checkpoint, const std::string& name, const std::vector<int64_t>& shape,
                        const at::Device& device, at::ScalarType dtype, const std::string& what);

// Adds `tensor` to the writer (made contiguous and moved to CPU first; bytes copied).
// Throws std::invalid_argument naming `name` for unsupported dtypes (see from_scalar_type).
void add_tensor(SafetensorsWriter& writer, const std::string& name, const at::Tensor& tensor);

}  // namespace pevlm::safetensors
