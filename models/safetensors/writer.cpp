// SafetensorsWriter: the reference layout of safetensors' Rust `serialize`
// (safetensors/src/tensor.rs, `prepare`): tensors sorted by dtype size descending then name,
// header JSON padded with spaces so the data region starts at a multiple of 8, offsets
// contiguous from 0. With that order every tensor is naturally aligned in a mapped file.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <unistd.h>

#include "models/safetensors/safetensors.h"

namespace pevlm::safetensors {

void SafetensorsWriter::add(const std::string& name, DType dtype, std::vector<int64_t> shape,
                            std::span<const std::byte> bytes) {
  if (name.empty()) throw std::invalid_argument("SafetensorsWriter::add: empty tensor name");
  if (name.rfind("__", 0) == 0)
    throw std::invalid_argument("SafetensorsWriter::add: tensor '" + name + "': names starting with '__' are reserved");
  if (entries_.count(name)) throw std::invalid_argument("SafetensorsWriter::add: tensor '" + name + "' added twice");
  std::size_t numel = 1;
  for (int64_t d : shape) {
    if (d < 0) throw std::invalid_argument("SafetensorsWriter::add: tensor '" + name + "' has a negative dimension");
    numel *= std::size_t(d);
  }
  const std::size_t expected = numel * dtype_size(dtype);
  if (bytes.size() != expected)
    throw std::invalid_argument("SafetensorsWriter::add: tensor '" + name + "' has " + std::to_string(bytes.size()) +
                                " bytes, shape x " + std::string(dtype_name(dtype)) + " needs " +
                                std::to_string(expected));
  entries_.emplace(name, Entry{dtype, std::move(shape), std::vector<std::byte>(bytes.begin(), bytes.end())});
}

bool SafetensorsWriter::has(const std::string& name) const { return entries_.count(name) != 0; }

std::size_t SafetensorsWriter::size() const { return entries_.size(); }

std::vector<std::byte> SafetensorsWriter::serialize(const Metadata& metadata) const {
  std::vector<const std::pair<const std::string, Entry>*> order;
  for (const auto& e : entries_) order.push_back(&e);
  std::stable_sort(order.begin(), order.end(), [](const auto* a, const auto* b) {
    return dtype_size(a->second.dtype) > dtype_size(b->second.dtype);  // ties keep name order (map)
  });

  nlohmann::json header = nlohmann::json::object();
  header["__metadata__"] = nlohmann::json::object();
  for (const auto& [k, v] : metadata) header["__metadata__"][k] = v;
  std::size_t offset = 0;
  for (const auto* e : order) {
    const Entry& entry = e->second;
    header[e->first] = {{"dtype", dtype_name(entry.dtype)},
                        {"shape", entry.shape},
                        {"data_offsets", {offset, offset + entry.bytes.size()}}};
    offset += entry.bytes.size();
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');

  std::vector<std::byte> out(8 + text.size() + offset);
  const uint64_t len = text.size();
  std::memcpy(out.data(), &len, 8);  // little-endian host (checked in safetensors.cpp)
  std::memcpy(out.data() + 8, text.data(), text.size());
  std::byte* data = out.data() + 8 + text.size();
  for (const auto* e : order) {
    // An empty tensor's byte vector has no storage (data() may be null): memcpy(dst, nullptr, 0) is UB.
    if (!e->second.bytes.empty()) std::memcpy(data, e->second.bytes.data(), e->second.bytes.size());
    data += e->second.bytes.size();
  }
  return out;
}

void SafetensorsWriter::write(const std::string& path, const Metadata& metadata) const {
  const std::vector<std::byte> bytes = serialize(metadata);
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("SafetensorsWriter::write: cannot create " + tmp);
    out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    out.close();
    if (!out) {
      std::remove(tmp.c_str());
      throw std::runtime_error("SafetensorsWriter::write: write failed for " + tmp);
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw std::runtime_error("SafetensorsWriter::write: cannot rename " + tmp + " to " + path + ": " +
                             std::strerror(errno));
  }
}

}  // namespace pevlm::safetensors
