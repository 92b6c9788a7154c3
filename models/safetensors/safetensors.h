// Torch-free safetensors reader (memory-mapped) and writer, plus a checkpoint reader over a
// Hugging Face model folder (single file or sharded via model.safetensors.index.json).
//
// Format (https://github.com/huggingface/safetensors, README "Format"): 8 bytes u64 little-endian
// header length N, then N bytes of UTF-8 JSON {name: {dtype, shape, data_offsets: [begin, end]},
// "__metadata__": {str: str}}, then the data region; offsets are relative to the data region,
// tensors are contiguous, non-overlapping and cover the whole region; data is little-endian,
// row-major. The reference writer pads the header with spaces to a multiple of 8 and orders
// tensors by dtype size (descending) then name, so every tensor is naturally aligned.
//
// Every error is a std::runtime_error (I/O, malformed file) or std::invalid_argument (bad
// argument) whose message names the file and, where there is one, the tensor.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pevlm::safetensors {

// Element types of the safetensors format that this project reads and writes.
enum class DType { BF16, F16, F32, F64, I64, I32, I16, I8, U8, BOOL };

// Size of one element in bytes (BOOL is 1 byte).
std::size_t dtype_size(DType dtype);
// The format's spelling: "BF16", "F32", "BOOL", ...
std::string_view dtype_name(DType dtype);
// Inverse of dtype_name; throws std::invalid_argument listing the valid names.
DType parse_dtype(std::string_view name);

// Metadata of the header's "__metadata__" entry (string -> string, as the format requires).
using Metadata = std::map<std::string, std::string>;

// One tensor of a mapped file. `data` points into the file mapping (read-only by contract;
// the mapping is private copy-on-write, so a stray write never reaches the file) and is valid
// as long as the SafetensorsFile / Checkpoint it came from (or any copy of it) is alive.
struct TensorView {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;       // row-major; {} = scalar (1 element)
  const std::byte* data = nullptr;  // little-endian elements
  std::size_t nbytes = 0;           // == numel() * dtype_size(dtype)

  int64_t numel() const;
};

// Converts a floating-point tensor (BF16, F16, F32, F64) to a float vector, for torch-free
// consumers and tests. Throws std::invalid_argument naming the tensor for other dtypes.
std::vector<float> to_f32_vector(const TensorView& view);

// One memory-mapped .safetensors file. Cheap to copy: copies share the mapping (shared_ptr),
// which is unmapped when the last copy goes away.
class SafetensorsFile {
 public:
  // Maps `path` and validates the whole header (sizes, dtypes, offsets, contiguity).
  static SafetensorsFile open(const std::string& path);

  const std::string& path() const;
  // Tensor names in data-offset order (the order they lie in the file).
  std::vector<std::string> names() const;
  bool has(const std::string& name) const;
  // Throws std::runtime_error naming the file and the tensor when it is absent.
  const TensorView& get(const std::string& name) const;
  // All tensors in data-offset order.
  const std::vector<TensorView>& tensors() const;
  // The "__metadata__" entries (empty if the header has none).
  const Metadata& metadata() const;
  // Total file size in bytes.
  std::size_t file_size() const;

  struct Impl;

 private:
  explicit SafetensorsFile(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

// A model checkpoint: one or more safetensors files seen as one name -> tensor map.
// Cheap to copy: copies share the file mappings, so keeping a copy keeps every TensorView
// (and every zero-copy tensor made from one) valid.
class Checkpoint {
 public:
  // `path` may be (checked in this order, as transformers does)
  //  - a folder with model.safetensors;
  //  - a folder with model.safetensors.index.json: the shards named by its "weight_map" are
  //    opened; every shard must exist and hold exactly the tensors the index assigns to it;
  //  - a folder with other *.safetensors files (all are opened; a duplicate name is an error);
  //  - a single .safetensors file, or an index .json file.
  static Checkpoint open(const std::string& path);

  bool has(const std::string& name) const;
  // Throws std::runtime_error naming the checkpoint and the tensor when it is absent.
  const TensorView& get(const std::string& name) const;
  // All tensor names, sorted.
  std::vector<std::string> names() const;
  // The file holding `name` (throws like get()).
  const std::string& file_of(const std::string& name) const;
  // The opened files (one per shard).
  const std::vector<SafetensorsFile>& files() const;
  // The folder or file the checkpoint was opened from.
  const std::string& path() const;
  // Metadata of the index ("metadata" object of the index JSON, values as JSON text when not
  // strings) or, without an index, of the first file.
  const Metadata& metadata() const;

 private:
  std::string path_;
  std::vector<SafetensorsFile> files_;
  std::map<std::string, std::pair<std::size_t, const TensorView*>> index_;  // name -> (file, view)
  Metadata metadata_;
};

// Collects tensors and writes one file in the reference layout (header padded with spaces to a
// multiple of 8, tensors ordered by dtype size descending then name, offsets contiguous).
class SafetensorsWriter {
 public:
  // Copies `bytes`. Throws std::invalid_argument if the name is empty, starts with "__",
  // is already added, has a negative dimension, or bytes.size() != numel * dtype size.
  void add(const std::string& name, DType dtype, std::vector<int64_t> shape,
           std::span<const std::byte> bytes);
  bool has(const std::string& name) const;
  std::size_t size() const;

  // The complete file contents.
  std::vector<std::byte> serialize(const Metadata& metadata = {}) const;
  // Writes serialize(metadata) to `path` (through a temporary file + rename, so a reader never
  // sees a half-written file). Throws std::runtime_error naming the path on I/O failure.
  void write(const std::string& path, const Metadata& metadata = {}) const;

 private:
  struct Entry {
    DType dtype;
    std::vector<int64_t> shape;
    std::vector<std::byte> bytes;
  };
  std::map<std::string, Entry> entries_;
};

}  // namespace pevlm::safetensors
