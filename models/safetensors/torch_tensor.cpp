// safetensors <-> ATen, following safetensors' Python binding (bindings/python/py_src/
// safetensors/torch.py, _TYPES / _getdtype) for the dtype mapping.
#include "models/safetensors/torch_tensor.h"

#include <ATen/DeviceAccelerator.h>

#include <algorithm>
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

at::Tensor to_device_tensor(const TensorView& view, const at::Device& device, at::ScalarType dtype, bool copy,
                            int64_t staging_bytes) {
  if (device.is_cpu()) {
    // The memory format is spelled out: with the defaulted std::optional, libtorch's to() branches on
    // the empty optional's (uninitialised) payload, which valgrind reports (issue 9); same semantics.
    return to_tensor(view).to(dtype, /*non_blocking=*/false, copy, at::MemoryFormat::Preserve);
  }
  const at::ScalarType file_dtype = to_scalar_type(view.dtype);
  at::Tensor raw = at::empty(view.shape, at::TensorOptions().dtype(file_dtype).device(device));
  const int64_t total = int64_t(view.nbytes);
  if (total > 0) {
    at::Tensor raw_bytes = raw.view({-1}).view(at::kByte);
    const int64_t chunk = std::min<int64_t>(std::max<int64_t>(staging_bytes, 1), total);
    at::Tensor staging[2];
    for (auto& s : staging) s = at::empty({chunk}, at::TensorOptions().dtype(at::kByte).pinned_memory(true));
    bool in_flight[2] = {false, false};  // a device copy may still be reading this buffer
    for (int64_t off = 0, i = 0; off < total; off += chunk, ++i) {
      const int b = int(i % 2);
      // With two buffers the device copies chunk i-1 while the CPU fills chunk i; a buffer is refilled
      // only after the copies issued so far have finished.
      if (in_flight[b]) {
        at::accelerator::synchronizeDevice(device.index());
        in_flight[0] = in_flight[1] = false;
      }
      const int64_t n = std::min(chunk, total - off);
      std::memcpy(staging[b].data_ptr(), view.data + off, size_t(n));
      raw_bytes.narrow(0, off, n).copy_(staging[b].narrow(0, 0, n), /*non_blocking=*/true);
      in_flight[b] = true;
    }
    at::accelerator::synchronizeDevice(device.index());  // staging buffers are freed on return
  }
  return raw.to(dtype, /*non_blocking=*/false, /*copy=*/false, at::MemoryFormat::Preserve);
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

at::Tensor load_checked(const Checkpoint& checkpoint, const std::string& name, const std::vector<int64_t>& shape,
                        const at::Device& device, at::ScalarType dtype, const std::string& what) {
  auto str = [](const std::vector<int64_t>& s) {
    std::string out = "[";
    for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
    return out + "]";
  };
  if (!checkpoint.has(name))
    throw std::runtime_error("checkpoint " + checkpoint.path() + ": missing tensor " + name + " (expected shape " + str(shape) +
                             " from " + what + ")");
  const TensorView& view = checkpoint.get(name);
  if (view.shape != shape)
    throw std::runtime_error("checkpoint " + checkpoint.path() + ": tensor " + name + " has shape " + str(view.shape) +
                             ", expected " + str(shape) + " from " + what + " (file " + checkpoint.file_of(name) + ")");
  return to_device_tensor(view, device, dtype);
}

}  // namespace pevlm::safetensors
