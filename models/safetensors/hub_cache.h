// Hugging Face hub ids -> the local snapshot folder huggingface_hub's cache holds (offline, no network):
// what from_pretrained("google/siglip-so400m-patch14-384") reads once the repository was downloaded. Mirrors
// huggingface_hub's cache layout (constants.py HF_HUB_CACHE; file_download.py): $HF_HUB_CACHE, else $HF_HOME/hub,
// else $XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub; models--{org}--{name}/refs/main names the
// snapshot, snapshots/{commit}/ holds the files.
#pragma once

#include <filesystem>
#include <string>

namespace pevlm::safetensors {

// The cache folder searched (from the environment as above).
std::filesystem::path hub_cache_dir();

// `path_or_id` itself when it exists; else, for an "org/name" id, its cached snapshot (refs/main, or the only
// snapshot). Throws std::runtime_error naming the path, the cache folder searched and what was missing.
std::filesystem::path resolve_model_dir(const std::string& path_or_id);

}  // namespace pevlm::safetensors
