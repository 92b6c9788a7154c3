// Memory-mapped safetensors reader with strict header validation.
// Mirrors the checks of the reference Rust implementation (safetensors/src/tensor.rs,
// `SafeTensors::read_metadata` + `Metadata::validate`): header length inside the file, JSON
// object, known dtype, shape x dtype size == byte length, offsets contiguous from 0 and covering
// the whole data region.
#include "models/safetensors/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <tuple>
#include <unordered_map>

namespace pevlm::safetensors {

static_assert(std::endian::native == std::endian::little,
              "safetensors data is little-endian; big-endian hosts would need byte swapping");

namespace {

struct DTypeInfo {
  DType dtype;
  const char* name;
  std::size_t size;
};

constexpr DTypeInfo kDTypes[] = {
    {DType::BF16, "BF16", 2}, {DType::F16, "F16", 2}, {DType::F32, "F32", 4},
    {DType::F64, "F64", 8},   {DType::I64, "I64", 8}, {DType::I32, "I32", 4},
    {DType::I16, "I16", 2},   {DType::I8, "I8", 1},   {DType::U8, "U8", 1},
    {DType::BOOL, "BOOL", 1},
};

const DTypeInfo& info(DType dtype) {
  for (const auto& i : kDTypes)
    if (i.dtype == dtype) return i;
  throw std::invalid_argument("safetensors: invalid DType value " + std::to_string(int(dtype)));
}

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw std::runtime_error("safetensors file " + path + ": " + what);
}

[[noreturn]] void fail_tensor(const std::string& path, const std::string& name, const std::string& what) {
  fail(path, "tensor '" + name + "': " + what);
}

// a * b with overflow detection (returns false on overflow).
bool mul_ok(uint64_t a, uint64_t b, uint64_t& out) {
  if (a != 0 && b > std::numeric_limits<uint64_t>::max() / a) return false;
  out = a * b;
  return true;
}

uint64_t read_u64_le(const std::byte* p) {
  uint64_t v = 0;
  std::memcpy(&v, p, sizeof v);  // host is little-endian (static_assert above)
  return v;
}

float half_to_float(uint16_t h) {
  const uint32_t sign = uint32_t(h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1fu;
  uint32_t mant = h & 0x3ffu;
  uint32_t bits;
  if (exp == 0x1f) {
    bits = sign | 0x7f800000u | (mant << 13);  // inf / nan
  } else if (exp != 0) {
    bits = sign | ((exp + 112) << 23) | (mant << 13);  // normal: rebias 15 -> 127
  } else if (mant == 0) {
    bits = sign;  // +-0
  } else {
    // subnormal half: normalise the mantissa.
    exp = 113;
    while ((mant & 0x400u) == 0) {
      mant <<= 1;
      --exp;
    }
    bits = sign | (exp << 23) | ((mant & 0x3ffu) << 13);
  }
  return std::bit_cast<float>(bits);
}

}  // namespace

std::size_t dtype_size(DType dtype) { return info(dtype).size; }

std::string_view dtype_name(DType dtype) { return info(dtype).name; }

DType parse_dtype(std::string_view name) {
  for (const auto& i : kDTypes)
    if (name == i.name) return i.dtype;
  std::string valid;
  for (const auto& i : kDTypes) valid += std::string(valid.empty() ? "" : ", ") + i.name;
  throw std::invalid_argument("unknown safetensors dtype '" + std::string(name) + "' (valid: " + valid + ")");
}

int64_t TensorView::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::vector<float> to_f32_vector(const TensorView& view) {
  const std::size_t n = std::size_t(view.numel());
  std::vector<float> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    switch (view.dtype) {
      case DType::F32: {
        std::memcpy(&out[i], view.data + 4 * i, 4);
        break;
      }
      case DType::F64: {
        double d;
        std::memcpy(&d, view.data + 8 * i, 8);
        out[i] = float(d);
        break;
      }
      case DType::BF16: {
        uint16_t b;
        std::memcpy(&b, view.data + 2 * i, 2);
        out[i] = std::bit_cast<float>(uint32_t(b) << 16);  // bf16 = upper half of f32
        break;
      }
      case DType::F16: {
        uint16_t h;
        std::memcpy(&h, view.data + 2 * i, 2);
        out[i] = half_to_float(h);
        break;
      }
      default:
        throw std::invalid_argument("to_f32_vector: tensor '" + view.name + "' has dtype " +
                                    std::string(dtype_name(view.dtype)) + ", expected BF16, F16, F32 or F64");
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// SafetensorsFile

struct SafetensorsFile::Impl {
  std::string path;
  std::byte* base = nullptr;  // mapping of the whole file
  std::size_t size = 0;
  std::vector<TensorView> tensors;  // data-offset order
  std::unordered_map<std::string, std::size_t> by_name;
  Metadata metadata;

  ~Impl() {
    if (base != nullptr) munmap(base, size);
  }
};

namespace {

// Maps the whole file privately (copy-on-write: a stray in-place write through a zero-copy
// tensor changes only this process's pages, never the file). Falls back to a read-only mapping
// if the kernel refuses a writable private one (strict overcommit on very large files).
void map_file(SafetensorsFile::Impl& impl) {
  const int fd = ::open(impl.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail(impl.path, std::string("cannot open: ") + std::strerror(errno));
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    const int e = errno;
    ::close(fd);
    fail(impl.path, std::string("cannot stat: ") + std::strerror(e));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    fail(impl.path, "not a regular file");
  }
  impl.size = std::size_t(st.st_size);
  if (impl.size < 8) {
    ::close(fd);
    fail(impl.path, "file too small (" + std::to_string(impl.size) + " bytes; a safetensors file starts with an 8-byte header length)");
  }
  void* p = mmap(nullptr, impl.size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  if (p == MAP_FAILED) p = mmap(nullptr, impl.size, PROT_READ, MAP_PRIVATE, fd, 0);
  const int e = errno;
  ::close(fd);
  if (p == MAP_FAILED) fail(impl.path, std::string("mmap failed: ") + std::strerror(e));
  impl.base = static_cast<std::byte*>(p);
}

nlohmann::json parse_header(const SafetensorsFile::Impl& impl, uint64_t& header_len) {
  header_len = read_u64_le(impl.base);
  if (header_len > impl.size - 8)
    fail(impl.path, "header length " + std::to_string(header_len) + " exceeds the file (" +
                        std::to_string(impl.size) + " bytes, at most " + std::to_string(impl.size - 8) + ")");
  const char* text = reinterpret_cast<const char*>(impl.base + 8);
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(text, text + header_len);
  } catch (const nlohmann::json::parse_error& e) {
    fail(impl.path, std::string("header is not valid JSON: ") + e.what());
  }
  if (!header.is_object()) fail(impl.path, "header JSON must be an object, got " + std::string(header.type_name()));
  return header;
}

void read_metadata(SafetensorsFile::Impl& impl, const nlohmann::json& meta) {
  if (!meta.is_object()) fail(impl.path, "__metadata__ must be an object of strings");
  for (const auto& [key, value] : meta.items()) {
    if (!value.is_string()) fail(impl.path, "__metadata__['" + key + "'] must be a string, got " + value.type_name());
    impl.metadata[key] = value.get<std::string>();
  }
}

// Non-negative integer from the header (JSON numbers may be negative or fractional).
uint64_t header_uint(const SafetensorsFile::Impl& impl, const std::string& name, const nlohmann::json& v,
                     const char* what) {
  // nlohmann stores non-negative integer literals as unsigned; negatives and floats are rejected.
  if (!v.is_number_unsigned())
    fail_tensor(impl.path, name, std::string(what) + " must be non-negative integers, got " + v.dump());
  return v.get<uint64_t>();
}

// Parses one tensor entry; offsets are returned relative to the data region.
TensorView read_entry(const SafetensorsFile::Impl& impl, const std::string& name, const nlohmann::json& e,
                      uint64_t& begin, uint64_t& end) {
  if (!e.is_object()) fail_tensor(impl.path, name, "entry must be an object");
  if (!e.contains("dtype") || !e["dtype"].is_string()) fail_tensor(impl.path, name, "missing string 'dtype'");
  if (!e.contains("shape") || !e["shape"].is_array()) fail_tensor(impl.path, name, "missing array 'shape'");
  if (!e.contains("data_offsets") || !e["data_offsets"].is_array() || e["data_offsets"].size() != 2)
    fail_tensor(impl.path, name, "missing 'data_offsets' [begin, end]");
  TensorView view;
  view.name = name;
  try {
    view.dtype = parse_dtype(e["dtype"].get<std::string>());
  } catch (const std::invalid_argument& ex) {
    fail_tensor(impl.path, name, ex.what());
  }
  uint64_t numel = 1;
  for (const auto& d : e["shape"]) {
    const uint64_t dim = header_uint(impl, name, d, "shape entries");
    // Every partial product must fit int64: TensorView::numel() multiplies the dims in int64, so
    // [2^32, 2^31, 0] (0 elements) would overflow there before reaching the 0.
    if (dim > uint64_t(std::numeric_limits<int64_t>::max()) || !mul_ok(numel, dim, numel) ||
        numel > uint64_t(std::numeric_limits<int64_t>::max()))
      fail_tensor(impl.path, name, "shape " + e["shape"].dump() + " overflows (more than 2^63-1 elements)");
    view.shape.push_back(int64_t(dim));
  }
  begin = header_uint(impl, name, e["data_offsets"][0], "data_offsets");
  end = header_uint(impl, name, e["data_offsets"][1], "data_offsets");
  if (end < begin) fail_tensor(impl.path, name, "data_offsets " + e["data_offsets"].dump() + " end before begin");
  uint64_t nbytes = 0;
  if (!mul_ok(numel, dtype_size(view.dtype), nbytes) || nbytes != end - begin)
    fail_tensor(impl.path, name,
                "shape " + e["shape"].dump() + " x " + std::string(dtype_name(view.dtype)) + " needs " +
                    std::to_string(nbytes) + " bytes but data_offsets " + e["data_offsets"].dump() + " span " +
                    std::to_string(end - begin));
  view.nbytes = std::size_t(nbytes);
  return view;
}

// A parsed header entry with its offsets relative to the data region.
struct Entry {
  TensorView view;
  uint64_t begin = 0;
  uint64_t end = 0;
};

// Offsets must tile [0, data_size) exactly: sorted by begin, each starting where the previous
// ended, the last ending at the end of the file (`entries` sorted by offsets).
void check_layout(const SafetensorsFile::Impl& impl, const std::vector<Entry>& entries, uint64_t data_size) {
  uint64_t expected = 0;
  std::string previous = "(start of data)";
  for (const Entry& e : entries) {
    const std::string& name = e.view.name;
    if (e.end > data_size)
      fail_tensor(impl.path, name,
                  "data_offsets [" + std::to_string(e.begin) + ", " + std::to_string(e.end) +
                      "] outside the data region of " + std::to_string(data_size) + " bytes");
    if (e.begin < expected)
      fail_tensor(impl.path, name,
                  "data_offsets begin " + std::to_string(e.begin) + " overlaps tensor '" + previous +
                      "' (ends at " + std::to_string(expected) + ")");
    if (e.begin > expected)
      fail_tensor(impl.path, name,
                  "data_offsets begin " + std::to_string(e.begin) + " leaves a gap after '" + previous +
                      "' (expected " + std::to_string(expected) + "; offsets must be contiguous)");
    expected = e.end;
    previous = name;
  }
  if (expected != data_size)
    fail(impl.path, "data region has " + std::to_string(data_size) + " bytes but tensors cover only " +
                        std::to_string(expected) + " (after tensor '" + previous + "')");
}

void read_tensors(SafetensorsFile::Impl& impl) {
  uint64_t header_len = 0;
  const nlohmann::json header = parse_header(impl, header_len);
  const uint64_t data_start = 8 + header_len;
  std::vector<Entry> entries;
  for (const auto& [name, value] : header.items()) {
    if (name == "__metadata__") {
      read_metadata(impl, value);
      continue;
    }
    Entry e;
    e.view = read_entry(impl, name, value, e.begin, e.end);
    entries.push_back(std::move(e));
  }
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return std::tie(a.begin, a.end) < std::tie(b.begin, b.end); });
  check_layout(impl, entries, impl.size - data_start);
  for (Entry& e : entries) {
    e.view.data = impl.base + data_start + e.begin;
    impl.by_name[e.view.name] = impl.tensors.size();
    impl.tensors.push_back(std::move(e.view));
  }
}

}  // namespace

SafetensorsFile SafetensorsFile::open(const std::string& path) {
  auto impl = std::make_shared<Impl>();
  impl->path = path;
  map_file(*impl);
  read_tensors(*impl);
  return SafetensorsFile(std::move(impl));
}

const std::string& SafetensorsFile::path() const { return impl_->path; }

std::vector<std::string> SafetensorsFile::names() const {
  std::vector<std::string> out;
  out.reserve(impl_->tensors.size());
  for (const auto& t : impl_->tensors) out.push_back(t.name);
  return out;
}

bool SafetensorsFile::has(const std::string& name) const { return impl_->by_name.count(name) != 0; }

const TensorView& SafetensorsFile::get(const std::string& name) const {
  const auto it = impl_->by_name.find(name);
  if (it == impl_->by_name.end())
    fail(impl_->path, "no tensor named '" + name + "' (file has " + std::to_string(impl_->tensors.size()) + " tensors)");
  return impl_->tensors[it->second];
}

const std::vector<TensorView>& SafetensorsFile::tensors() const { return impl_->tensors; }

const Metadata& SafetensorsFile::metadata() const { return impl_->metadata; }

std::size_t SafetensorsFile::file_size() const { return impl_->size; }

}  // namespace pevlm::safetensors
