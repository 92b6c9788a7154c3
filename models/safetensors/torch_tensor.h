// Bridges between safetensors views and ATen tensors (library pevlm_safetensors_torch).
#pragma once

#include <ATen/ATen.h>

#include <string>

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

// Adds `tensor` to the writer (made contiguous and moved to CPU first; bytes copied).
// Throws std::invalid_argument naming `name` for unsupported dtypes (see from_scalar_type).
void add_tensor(SafetensorsWriter& writer, const std::string& name, const at::Tensor& tensor);

}  // namespace pevlm::safetensors
