#include "harness/speed/speed_config.h"

#include <cmath>
#include <stdexcept>

#include "harness/config_io.h"

namespace pevlm {
namespace {

int64_t positive_int(const nlohmann::json& obj, const std::string& key, int64_t fallback, const std::string& where) {
  if (!obj.contains(key)) return fallback;
  const auto& v = obj[key];
  if (!v.is_number_integer() || v.get<int64_t>() < 0)
    throw std::invalid_argument(where + "." + key + ": expected a non-negative integer, got " + v.dump());
  return v.get<int64_t>();
}

std::vector<int64_t> int_list(const nlohmann::json& v, const std::string& where) {
  std::vector<int64_t> out;
  for (const auto& x : v.is_array() ? v : nlohmann::json::array({v})) {
    if (!x.is_number_integer() || x.get<int64_t>() <= 0) throw std::invalid_argument(where + ": expected positive integers, got " + v.dump());
    out.push_back(x.get<int64_t>());
  }
  return out;
}

}  // namespace

SpeedConfig parse_speed_config(const nlohmann::json& doc, const std::string& source) {
  check_keys(doc, {"description", "executor", "dtype", "shape", "layout", "repeats", "warmup", "threads", "methods"}, source,
             {"methods"});
  SpeedConfig c;
  c.description = doc.value("description", "");
  c.executor = doc.value("executor", c.executor);
  c.dtype = doc.value("dtype", c.dtype);
  if (c.dtype != "bf16" && c.dtype != "fp32") throw std::invalid_argument(source + ".dtype: expected bf16 or fp32, got " + c.dtype);
  if (doc.contains("shape")) {
    const auto& s = doc["shape"];
    check_keys(s, {"heads", "kv_heads", "head_dim"}, source + ".shape");
    c.heads = positive_int(s, "heads", c.heads, source + ".shape");
    c.kv_heads = positive_int(s, "kv_heads", c.kv_heads, source + ".shape");
    c.head_dim = positive_int(s, "head_dim", c.head_dim, source + ".shape");
    if (c.kv_heads == 0 || c.heads % c.kv_heads) throw std::invalid_argument(source + ".shape: heads must be a multiple of kv_heads");
  }
  const nlohmann::json layout = doc.value("layout", nlohmann::json::object());
  check_keys(layout, {"system_tokens", "tokens_per_frame", "question_tokens", "frames", "tokens"}, source + ".layout");
  c.system_tokens = positive_int(layout, "system_tokens", c.system_tokens, source + ".layout");
  c.tokens_per_frame = positive_int(layout, "tokens_per_frame", c.tokens_per_frame, source + ".layout");
  c.question_tokens = positive_int(layout, "question_tokens", c.question_tokens, source + ".layout");
  if (c.tokens_per_frame == 0) throw std::invalid_argument(source + ".layout.tokens_per_frame must be > 0");
  if (layout.contains("frames") == layout.contains("tokens"))
    throw std::invalid_argument(source + ".layout: give exactly one of 'frames' or 'tokens' (a number or a list)");
  if (layout.contains("frames")) {
    c.frames = int_list(layout["frames"], source + ".layout.frames");
  } else {
    for (int64_t t : int_list(layout["tokens"], source + ".layout.tokens")) {
      // The frame count whose total (text + frames + question) is closest to the target.
      const double f = double(t - c.system_tokens - c.question_tokens) / double(c.tokens_per_frame);
      c.frames.push_back(std::max<int64_t>(1, std::llround(f)));
    }
  }
  c.repeats = int(positive_int(doc, "repeats", c.repeats, source));
  c.warmup = int(positive_int(doc, "warmup", c.warmup, source));
  c.threads = int(positive_int(doc, "threads", c.threads, source));
  if (c.repeats < 1) throw std::invalid_argument(source + ".repeats must be >= 1");
  try {
    c.methods = expand_methods(doc["methods"]);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(source + ".methods: " + e.what());
  }
  auto full_it = std::find_if(c.methods.begin(), c.methods.end(), [](const MethodConfig& m) { return m.name == "full"; });
  if (full_it == c.methods.end()) c.methods.insert(c.methods.begin(), MethodConfig{"full", nlohmann::json::object()});
  else std::rotate(c.methods.begin(), full_it, full_it + 1);
  c.resolved = doc;
  c.resolved["executor"] = c.executor;
  c.resolved["dtype"] = c.dtype;
  c.resolved["shape"] = {{"heads", c.heads}, {"kv_heads", c.kv_heads}, {"head_dim", c.head_dim}};
  c.resolved["layout"] = {{"system_tokens", c.system_tokens}, {"tokens_per_frame", c.tokens_per_frame},
                          {"question_tokens", c.question_tokens}, {"frames", c.frames}};
  c.resolved["repeats"] = c.repeats;
  c.resolved["warmup"] = c.warmup;
  c.resolved["threads"] = c.threads;
  c.resolved["methods"] = nlohmann::json::array();
  for (const auto& m : c.methods) c.resolved["methods"].push_back(m.to_json());
  return c;
}

SpeedConfig load_speed_config(const std::filesystem::path& path) { return parse_speed_config(load_yaml_file(path), path.string()); }

}  // namespace pevlm
