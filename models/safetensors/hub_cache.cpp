// Hub ids to cached snapshot folders; see hub_cache.h.
#include "models/safetensors/hub_cache.h"

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <vector>

namespace pevlm::safetensors {
namespace fs = std::filesystem;

namespace {

const char* env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : nullptr;
}

}  // namespace

fs::path hub_cache_dir() {
  if (const char* v = env("HF_HUB_CACHE")) return v;
  if (const char* v = env("HF_HOME")) return fs::path(v) / "hub";
  if (const char* v = env("XDG_CACHE_HOME")) return fs::path(v) / "huggingface" / "hub";
  if (const char* v = env("HOME")) return fs::path(v) / ".cache" / "huggingface" / "hub";
  return fs::path(".cache") / "huggingface" / "hub";
}

fs::path resolve_model_dir(const std::string& path_or_id) {
  if (fs::exists(path_or_id)) return path_or_id;
  const size_t slash = path_or_id.find('/');
  const bool is_id = slash != std::string::npos && slash > 0 && slash + 1 < path_or_id.size() &&
                     path_or_id.find('/', slash + 1) == std::string::npos && path_or_id.front() != '.';
  if (!is_id) throw std::runtime_error(path_or_id + " does not exist (expected a folder or a hub id org/name)");
  const fs::path cache = hub_cache_dir();
  const fs::path repo = cache / ("models--" + path_or_id.substr(0, slash) + "--" + path_or_id.substr(slash + 1));
  const std::string where = path_or_id + " is neither a folder nor in the hub cache (" + repo.string() + ")";
  if (!fs::is_directory(repo / "snapshots")) throw std::runtime_error(where + ": no snapshots/");
  std::ifstream ref(repo / "refs" / "main");
  std::string commit;
  if (ref >> commit) {
    const fs::path snap = repo / "snapshots" / commit;
    if (!fs::is_directory(snap)) throw std::runtime_error(where + ": refs/main names " + commit + ", not in snapshots/");
    return snap;
  }
  std::vector<fs::path> snaps;
  for (const auto& e : fs::directory_iterator(repo / "snapshots"))
    if (e.is_directory()) snaps.push_back(e.path());
  if (snaps.size() != 1)
    throw std::runtime_error(where + ": no refs/main and " + std::to_string(snaps.size()) +
                             " snapshots; name the snapshot folder itself");
  return snaps.front();
}

}  // namespace pevlm::safetensors
