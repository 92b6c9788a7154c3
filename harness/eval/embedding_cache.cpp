#include "harness/eval/embedding_cache.h"

#include <ATen/ATen.h>

#include "harness/eval/cache_key.h"
#include "models/safetensors/safetensors.h"
#include "models/safetensors/torch_tensor.h"

namespace pevlm {

std::filesystem::path EmbeddingCache::file_for(const nlohmann::json& key) const { return cache_file(dir_, "", key); }

std::optional<EmbeddingCache::Entry> EmbeddingCache::get(const nlohmann::json& key) const {
  const auto path = file_for(key);
  if (!std::filesystem::exists(path)) return std::nullopt;
  auto file = safetensors::SafetensorsFile::open(path.string());
  auto it = file.metadata().find("key");
  if (it == file.metadata().end() || it->second != key.dump()) return std::nullopt;  // collision or stale
  auto ms = file.metadata().find("vision_ms");
  return Entry{safetensors::to_tensor_copy(file.get("embeddings")), ms == file.metadata().end() ? 0.0 : std::stod(ms->second)};
}

void EmbeddingCache::put(const nlohmann::json& key, const at::Tensor& embeddings, double vision_ms) const {
  std::filesystem::create_directories(dir_);
  safetensors::SafetensorsWriter writer;
  safetensors::add_tensor(writer, "embeddings", embeddings.contiguous());
  writer.write(file_for(key).string(), {{"key", key.dump()}, {"vision_ms", std::to_string(vision_ms)}});
}

}  // namespace pevlm
