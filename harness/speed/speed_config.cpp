#include "harness/speed/speed_config.h"

#include <algorithm>
#include <cmath>
#include <regex>
#include <stdexcept>

#include "harness/config_io.h"
#ifdef PEVLM_SPEED_WITH_LLM
#include "harness/speed/llm_speed.h"
#endif

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

// `model:` / `layers:` / `llm_dtype:`: the layer shape comes from the model's config; an explicit
// `shape:` must agree with it (a silent override would time a layer the model does not have).
void parse_model(const nlohmann::json& doc, const std::string& source, SpeedConfig& c) {
  if (!doc.contains("model")) {
    for (const char* key : {"layers", "llm_dtype"})
      if (doc.contains(key)) throw std::invalid_argument(source + "." + key + ": only meaningful with 'model:' (LLM timing)");
    return;
  }
  if (!doc["model"].is_string() || doc["model"].get<std::string>().empty())
    throw std::invalid_argument(source + ".model: expected a preset name, config.json path or model folder, got " +
                                doc["model"].dump());
  c.model = doc["model"].get<std::string>();
  c.layers = positive_int(doc, "layers", 0, source);
  c.llm_dtype = doc.value("llm_dtype", c.llm_dtype);
  if (c.llm_dtype != "bf16" && c.llm_dtype != "fp32")
    throw std::invalid_argument(source + ".llm_dtype: expected bf16 or fp32, got " + c.llm_dtype);
#ifdef PEVLM_SPEED_WITH_LLM
  const SpeedModelShape m = resolve_speed_model(c.model, source + ".model");
  if (doc.contains("shape")) {
    const auto& s = doc["shape"];
    const std::pair<const char*, int64_t> expected[] = {{"heads", m.heads}, {"kv_heads", m.kv_heads}, {"head_dim", m.head_dim}};
    for (const auto& [key, value] : expected)
      if (s.contains(key) && s[key] != value)
        throw std::invalid_argument(source + ".shape." + key + ": " + s[key].dump() + " disagrees with model " + m.source +
                                    " (" + std::to_string(value) + "); drop 'shape:' or make it agree");
  }
  if (c.layers > m.layers)
    throw std::invalid_argument(source + ".layers: " + std::to_string(c.layers) + " exceeds the model's " +
                                std::to_string(m.layers) + " layers (" + m.source + ")");
  // The LLM's attention runs on its own q/k/v, in the LLM's dtype.
  if (doc.contains("dtype") && doc["dtype"] != c.llm_dtype)
    throw std::invalid_argument(source + ".dtype: " + doc["dtype"].dump() + " disagrees with llm_dtype '" + c.llm_dtype +
                                "' (with 'model:' attention runs inside the LLM, in llm_dtype)");
  c.dtype = c.llm_dtype;
  c.model_source = m.source;
  c.heads = m.heads, c.kv_heads = m.kv_heads, c.head_dim = m.head_dim;
  c.hidden = m.hidden, c.intermediate = m.intermediate, c.layers_total = m.layers;
#else
  throw std::invalid_argument(source + ".model: LLM timing needs the models/ libraries, but this build is "
                              "PEVLM_CORE_ONLY; rebuild without -DPEVLM_CORE_ONLY=ON or remove 'model:'");
#endif
}

// `device:` or the executor's device, as "cpu" or "cuda:N" (index-less cuda is cuda:0, as --device).
std::string parse_device(const nlohmann::json& doc, const std::string& executor, const std::string& source) {
  if (!doc.contains("device")) return executor.rfind("cuda", 0) == 0 ? "cuda:0" : "cpu";
  static const std::regex kDevice("cpu|cuda(:[0-9]+)?");
  const nlohmann::json& v = doc["device"];
  if (!v.is_string() || !std::regex_match(v.get<std::string>(), kDevice))
    throw std::invalid_argument(source + ".device: expected cpu, cuda or cuda:N, got " + v.dump());
  const std::string d = v.get<std::string>();
  return d == "cuda" ? "cuda:0" : d;
}

}  // namespace

SpeedConfig parse_speed_config(const nlohmann::json& doc, const std::string& source) {
  check_keys(doc, {"description", "executor", "device", "dtype", "shape", "layout", "repeats", "warmup", "threads", "methods",
                    "model", "layers", "llm_dtype", "reduction"},
             source,
             {"methods"});
  SpeedConfig c;
  c.description = doc.value("description", "");
  c.executor = doc.value("executor", c.executor);
  c.device = parse_device(doc, c.executor, source);
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
  parse_model(doc, source, c);
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
  try {
    c.reductions = reduction::expand_reductions(doc.value("reduction", nlohmann::json()));
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(source + ".reduction: " + e.what());
  }
  auto none_it = std::find_if(c.reductions.begin(), c.reductions.end(), [](const auto& r) { return r.is_none(); });
  if (none_it == c.reductions.end()) c.reductions.insert(c.reductions.begin(), reduction::ReductionConfig{});
  else std::rotate(c.reductions.begin(), none_it, none_it + 1);
  if (c.reductions.size() > 1 && !c.time_llm())
    throw std::invalid_argument(source + ".reduction: token reductions are timed with the whole LLM; add 'model:' (e.g. "
                                "qwen2.5-vl-7b) and 'layers:'");
  c.resolved = doc;
  c.resolved["executor"] = c.executor;
  c.resolved["device"] = c.device;
  c.resolved["dtype"] = c.dtype;
  c.resolved["shape"] = {{"heads", c.heads}, {"kv_heads", c.kv_heads}, {"head_dim", c.head_dim}};
  c.resolved["layout"] = {{"system_tokens", c.system_tokens}, {"tokens_per_frame", c.tokens_per_frame},
                          {"question_tokens", c.question_tokens}, {"frames", c.frames}};
  if (c.time_llm()) {
    c.resolved["model"] = c.model;
    c.resolved["model_source"] = c.model_source;
    c.resolved["layers"] = c.layers;
    c.resolved["llm_dtype"] = c.llm_dtype;
  }
  c.resolved["repeats"] = c.repeats;
  c.resolved["warmup"] = c.warmup;
  c.resolved["threads"] = c.threads;
  c.resolved["methods"] = nlohmann::json::array();
  for (const auto& m : c.methods) c.resolved["methods"].push_back(m.to_json());
  if (c.reductions.size() > 1) {
    c.resolved["reduction"] = nlohmann::json::array();
    for (const auto& r : c.reductions) c.resolved["reduction"].push_back(r.to_json());
  }
  return c;
}

SpeedConfig load_speed_config(const std::filesystem::path& path) { return parse_speed_config(load_yaml_file(path), path.string()); }

}  // namespace pevlm
