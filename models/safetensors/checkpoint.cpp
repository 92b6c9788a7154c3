// Checkpoint: a Hugging Face model folder's safetensors files seen as one name -> tensor map.
// Sharded layout as written by transformers' save_pretrained (modeling_utils.py,
// SAFE_WEIGHTS_INDEX_NAME = "model.safetensors.index.json": {"metadata": {...},
// "weight_map": {tensor name: shard file name}}).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "models/safetensors/safetensors.h"

namespace pevlm::safetensors {

namespace fs = std::filesystem;

namespace {

constexpr const char* kIndexName = "model.safetensors.index.json";
constexpr const char* kSingleName = "model.safetensors";

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw std::runtime_error("checkpoint " + path + ": " + what);
}

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) fail(path, "cannot open");
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    fail(path, std::string("not valid JSON: ") + e.what());
  }
}

// The index's "weight_map" grouped by shard file: shard -> tensor names.
std::map<std::string, std::vector<std::string>> read_weight_map(const std::string& index_path,
                                                                const nlohmann::json& index) {
  if (!index.is_object() || !index.contains("weight_map") || !index["weight_map"].is_object())
    fail(index_path, "missing object 'weight_map' {tensor name: shard file}");
  std::map<std::string, std::vector<std::string>> shards;
  for (const auto& [name, file] : index["weight_map"].items()) {
    if (!file.is_string()) fail(index_path, "weight_map['" + name + "'] must be a file name string");
    shards[file.get<std::string>()].push_back(name);
  }
  if (shards.empty()) fail(index_path, "weight_map is empty");
  return shards;
}

Metadata index_metadata(const nlohmann::json& index) {
  Metadata out;
  if (index.contains("metadata") && index["metadata"].is_object())
    for (const auto& [k, v] : index["metadata"].items()) out[k] = v.is_string() ? v.get<std::string>() : v.dump();
  return out;
}

// Every tensor the index assigns to a shard must be in it, and the shard must hold nothing else
// (an inconsistent index means a half-copied or mixed checkpoint).
void check_shard(const std::string& index_path, const SafetensorsFile& shard, const std::vector<std::string>& names) {
  for (const auto& name : names)
    if (!shard.has(name))
      fail(index_path, "tensor '" + name + "' is listed in weight_map for shard " + shard.path() +
                           " but is missing from that file");
  if (shard.tensors().size() != names.size()) {
    std::vector<std::string> sorted = names;
    std::sort(sorted.begin(), sorted.end());
    for (const auto& t : shard.tensors())
      if (!std::binary_search(sorted.begin(), sorted.end(), t.name))
        fail(index_path, "shard " + shard.path() + " holds tensor '" + t.name + "' that weight_map does not list");
  }
}

std::vector<std::string> folder_safetensors(const fs::path& folder) {
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(folder))
    if (entry.is_regular_file() && entry.path().extension() == ".safetensors") files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

Checkpoint Checkpoint::open(const std::string& path) {
  Checkpoint ckpt;
  ckpt.path_ = path;
  std::error_code ec;
  const fs::path p(path);
  const bool is_dir = fs::is_directory(p, ec);
  if (!is_dir && !fs::is_regular_file(p, ec)) fail(path, "no such file or folder");

  std::string index_path;
  std::vector<std::string> single_files;
  if (!is_dir) {
    if (p.extension() == ".json")
      index_path = path;
    else
      single_files.push_back(path);
  } else if (fs::exists(p / kSingleName)) {
    // transformers checks model.safetensors before the index (modeling_utils.py,
    // _get_resolved_checkpoint_files), so a folder holding both loads the single file.
    single_files.push_back((p / kSingleName).string());
  } else if (fs::exists(p / kIndexName)) {
    index_path = (p / kIndexName).string();
  } else {
    single_files = folder_safetensors(p);
    if (single_files.empty())
      fail(path, std::string("folder has no ") + kIndexName + ", " + kSingleName + " or other *.safetensors file");
  }

  if (!index_path.empty()) {
    const nlohmann::json index = read_json(index_path);
    const fs::path folder = fs::path(index_path).parent_path();
    for (const auto& [file, names] : read_weight_map(index_path, index)) {
      const fs::path shard_path = folder / file;
      if (!fs::is_regular_file(shard_path, ec))
        fail(index_path, "shard file " + shard_path.string() + " (holding e.g. tensor '" + names.front() +
                             "') does not exist");
      ckpt.files_.push_back(SafetensorsFile::open(shard_path.string()));
      check_shard(index_path, ckpt.files_.back(), names);
    }
    ckpt.metadata_ = index_metadata(index);
  } else {
    for (const auto& f : single_files) ckpt.files_.push_back(SafetensorsFile::open(f));
    ckpt.metadata_ = ckpt.files_.front().metadata();
  }

  // Views live in each file's shared Impl, so pointers stay valid when files_ is copied/moved.
  for (std::size_t i = 0; i < ckpt.files_.size(); ++i) {
    for (const auto& view : ckpt.files_[i].tensors()) {
      const auto [it, inserted] = ckpt.index_.emplace(view.name, std::make_pair(i, &view));
      if (!inserted)
        fail(path, "tensor '" + view.name + "' is in both " + ckpt.files_[it->second.first].path() + " and " +
                       ckpt.files_[i].path());
    }
  }
  return ckpt;
}

bool Checkpoint::has(const std::string& name) const { return index_.count(name) != 0; }

const TensorView& Checkpoint::get(const std::string& name) const {
  const auto it = index_.find(name);
  if (it == index_.end())
    fail(path_, "no tensor named '" + name + "' (checkpoint has " + std::to_string(index_.size()) + " tensors)");
  return *it->second.second;
}

std::vector<std::string> Checkpoint::names() const {
  std::vector<std::string> out;
  out.reserve(index_.size());
  for (const auto& [name, loc] : index_) out.push_back(name);
  return out;  // std::map keeps them sorted
}

const std::string& Checkpoint::file_of(const std::string& name) const {
  const auto it = index_.find(name);
  if (it == index_.end()) fail(path_, "no tensor named '" + name + "'");
  return files_[it->second.first].path();
}

const std::vector<SafetensorsFile>& Checkpoint::files() const { return files_; }

const std::string& Checkpoint::path() const { return path_; }

const Metadata& Checkpoint::metadata() const { return metadata_; }

}  // namespace pevlm::safetensors
