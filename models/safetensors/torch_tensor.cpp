// safetensors <-> ATen, following safetensors' Python binding (bindings/python/py_src/
// safetensors/torch.py, _TYPES / _getdtype) for the dtype mapping.
#include "models/safetensors/torch_tensor.h"

#include <cstdint>
#include <cstring>
#include <stdexcept>

namespace pevlm::safetensors {

at::ScalarType to_scalar_type(DType dtype) {
  switch (dtype) {
    case DType::BF16: return at::kBFloat16;
    case DType::F16: return at::kHalf;
    case DType::F32: return at::kFloat;
    case DType::F64: return at::kDouble;
    case DType::I64: return at::kLong;
    case DType::I32: return at::kInt;
    case DType::I16: return at::kShort;
    case DType::I8: return at::kChar;
    case DType::U8: return at::kByte;
    case DType::BOOL: return at::kBool;
  }
  throw std::invalid_argument("to_scalar_type: invalid DType " + std::to_string(int(dtype)));
}

DType from_scalar_type(at::ScalarType type) {
  switch (type) {
    case at::kBFloat16: return DType::BF16;
    case at::kHalf: return DType::F16;
    case at::kFloat: return DType::F32;
    case at::kDouble: return DType::F64;
    case at::kLong: return DType::I64;
    case at::kInt: return DType::I32;
    case at::kShort: return DType::I16;
    case at::kChar: return DType::I8;
    case at::kByte: return DType::U8;
    case at::kBool: return DType::BOOL;
    default:
      throw std::invalid_argument(std::string("safetensors: torch dtype ") + c10::toString(type) +
                                  " has no safetensors dtype here (supported: BF16 F16 F32 F64 I64 I32 I16 I8 U8 BOOL)");
  }
}

at::Tensor to_tensor(const TensorView& view) {
  const std::size_t align = dtype_size(view.dtype);
  if (reinterpret_cast<std::uintptr_t>(view.data) % align != 0) return to_tensor_copy(view);
  // from_blob takes a non-const pointer; the mapping is private copy-on-write (safetensors.cpp),
  // so even an accidental in-place op cannot modify the file.
  void* data = const_cast<std::byte*>(view.data);
  return at::from_blob(data, view.shape, at::TensorOptions().dtype(to_scalar_type(view.dtype)));
}

at::Tensor to_tensor_copy(const TensorView& view) {
  at::Tensor out = at::empty(view.shape, at::TensorOptions().dtype(to_scalar_type(view.dtype)));
  if (view.nbytes > 0) std::memcpy(out.data_ptr(), view.data, view.nbytes);
  return out;
}

void add_tensor(SafetensorsWriter& writer, const std::string& name, const at::Tensor& tensor) {
  DType dtype;
  try {
    dtype = from_scalar_type(tensor.scalar_type());
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument("add_tensor '" + name + "': " + e.what());
  }
  const at::Tensor cpu = tensor.to(at::kCPU).contiguous();
  const auto* bytes = static_cast<const std::byte*>(cpu.data_ptr());
  writer.add(name, dtype, cpu.sizes().vec(), std::span<const std::byte>(bytes, cpu.nbytes()));
}

}  // namespace pevlm::safetensors
