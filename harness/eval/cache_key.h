// File names of the on-disk caches (embedding_cache, frames_cache): a 64-bit FNV-1a hash of the
// canonical key JSON. The key itself is stored inside each file and checked on read, so a hash
// collision can never return another entry.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace pevlm {

inline std::filesystem::path cache_file(const std::filesystem::path& dir, const std::string& prefix,
                                        const nlohmann::json& key) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : key.dump()) h = (h ^ c) * 1099511628211ull;
  char name[64];
  std::snprintf(name, sizeof(name), "%s%016llx.safetensors", prefix.c_str(), (unsigned long long)h);
  return dir / name;
}

}  // namespace pevlm
