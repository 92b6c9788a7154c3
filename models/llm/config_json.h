// Internal to pevlm_qwen_config: typed JSON field access whose errors name the file and the key
// (with its nesting, e.g. "vision_config.num_heads"). Not part of the public config API.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace pevlm::config_json {

// Reads a whole text file; `path` may be a folder, then `default_name` inside it is read.
// Sets `resolved` to the file actually read. Throws std::runtime_error naming the path.
std::string read_text_file(const std::string& path, const char* default_name, std::string& resolved);

// Parses JSON text; throws std::runtime_error naming `source` on a syntax error or non-object.
nlohmann::json parse_json(const std::string& text, const std::string& source);

// The values a configuration class gives the keys a file leaves out. `save_pretrained` omits keys
// equal to their class default (transformers 4.x for every key of a nested config, 5.x for the
// PretrainedConfig ones), so a reader must apply them exactly as the class would. One table per
// model_type, each citing the class and the version it was read from; a key absent from `values`
// has no default (the file must carry it).
struct ClassDefaults {
  std::string model_type;   // "qwen2", "siglip_vision_model", ...
  std::string reference;    // e.g. "transformers 5.25.0 Qwen2Config (models/qwen2/configuration_qwen2.py)"
  nlohmann::json values;    // key -> default value (an object)
};

// Looks a key up in one or more JSON objects in order (e.g. the top level, then "text_config"),
// then in the class defaults of the config's model_type when one is given.
class JsonReader {
 public:
  struct Layer {
    const nlohmann::json* object;
    std::string prefix;  // printed before keys found here ("" or "text_config.")
  };

  JsonReader(std::string source, std::vector<Layer> layers, const ClassDefaults* defaults = nullptr)
      : source_(std::move(source)), layers_(std::move(layers)), defaults_(defaults) {}

  const std::string& source() const { return source_; }
  const ClassDefaults* defaults() const { return defaults_; }
  // The value of `key` in the file (null JSON counts as absent) and the prefix of the layer it was
  // found in. Class defaults are not consulted.
  std::pair<const nlohmann::json*, std::string> locate(const std::string& key) const;
  // In the file with a non-null value.
  bool in_file(const std::string& key) const { return locate(key).first != nullptr; }
  // Written as null in the file (transformers reads None: the class default does not apply).
  bool null_in_file(const std::string& key) const;
  // The file's value, else the class default (nullptr when neither, or when the file says null).
  const nlohmann::json* find(const std::string& key) const;
  bool has(const std::string& key) const { return find(key) != nullptr; }

  // Required values (the file's, else the class default): throw naming the key, the file and the
  // model_type when neither gives one, or when the value has the wrong JSON type.
  int64_t get_int(const std::string& key) const;
  double get_double(const std::string& key) const;
  bool get_bool(const std::string& key) const;
  std::string get_string(const std::string& key) const;
  std::vector<int64_t> get_int_array(const std::string& key) const;
  std::vector<double> get_double_array(const std::string& key) const;
  // A token id given as an integer or a list of integers (first entry; HF allows both for eos).
  int64_t get_token_id(const std::string& key) const;
  // A boolean that is true when any layer says true (each type-checked), else the class default.
  bool get_bool_any_layer(const std::string& key) const;

  // Optional values: `fallback` when absent, still type-checked when present.
  int64_t get_int(const std::string& key, int64_t fallback) const { return has(key) ? get_int(key) : fallback; }
  double get_double(const std::string& key, double fallback) const { return has(key) ? get_double(key) : fallback; }
  bool get_bool(const std::string& key, bool fallback) const { return has(key) ? get_bool(key) : fallback; }
  std::string get_string(const std::string& key, const std::string& fallback) const {
    return has(key) ? get_string(key) : fallback;
  }
  int64_t get_token_id(const std::string& key, int64_t fallback) const {
    return has(key) ? get_token_id(key) : fallback;
  }

  // "<source>: key '<prefix><key>' <what>" as std::runtime_error.
  [[noreturn]] void fail(const std::string& key, const std::string& what) const;
  // The key as printed in messages (with the prefix of the layer holding it, or the first layer's).
  std::string qualified(const std::string& key) const;

 private:
  const nlohmann::json& require(const std::string& key, const char* expected) const;

  std::string source_;
  std::vector<Layer> layers_;
  const ClassDefaults* defaults_ = nullptr;
};

// The error prefix used everywhere: "<source>: key '<key>' <what>".
[[noreturn]] void fail_key(const std::string& source, const std::string& key, const std::string& what);

}  // namespace pevlm::config_json
