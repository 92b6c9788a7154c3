#include "harness/eval/eval_config.h"

#include <algorithm>
#include <stdexcept>

#include "datasets/registry/registry.h"
#include "harness/config_io.h"

namespace pevlm {

nlohmann::json EvalConfig::run_settings() const {
  nlohmann::json ds = {{"root", std::filesystem::absolute(dataset_root).lexically_normal().string()}, {"split", split}};
  // Only for benchmarks other than LongVideoBench, so that runs written before the interface still resume.
  if (dataset.benchmark != "longvideobench") ds["benchmark"] = dataset.benchmark;
  nlohmann::json s = {{"model", std::filesystem::absolute(model).lexically_normal().string()},
                      {"dataset", ds},
                      {"protocol", protocol},
                      {"dtype", dtype},
                      {"device", device.name},
                      {"executor", executor}};
  // Only when set, so that runs written before model options existed still resume.
  if (!model_options.empty()) s["model_options"] = model_options;
  return s;
}

EvalConfig parse_eval_config(const nlohmann::json& doc, const std::string& source, const std::filesystem::path& base_dir) {
  check_keys(doc,
             {"description", "model", "model_options", "dataset", "protocol", "methods", "decoder", "reduction", "device",
              "executor", "dtype", "embedding_cache", "threads", "prefix_reuse"},
             source, {"model", "dataset", "methods"});
  EvalConfig c;
  c.description = doc.value("description", "");
  auto resolve = [&](const std::string& p) {
    std::filesystem::path path(p);
    return path.is_absolute() ? path : (base_dir / path).lexically_normal();
  };
  c.model = resolve(doc["model"].get<std::string>());
  // Checked by the family's loader (an unknown option is an error listing the valid ones there).
  c.model_options = doc.value("model_options", nlohmann::json::object());
  if (!c.model_options.is_object())
    throw std::invalid_argument(source + ".model_options: expected a mapping (e.g. {pool_mode: average}), got " + c.model_options.dump());
  const auto& ds = doc["dataset"];
  check_keys(ds, {"benchmark", "root", "split", "limit"}, source + ".dataset", {"root"});
  c.dataset.benchmark = ds.value("benchmark", std::string("longvideobench"));
  const datasets::BenchmarkInfo* info = nullptr;
  try {
    info = &datasets::benchmark_info(c.dataset.benchmark);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(source + ".dataset.benchmark: " + e.what());
  }
  c.dataset_root = resolve(ds["root"].get<std::string>());
  c.dataset.root = c.dataset_root;
  c.split = ds.value("split", info->splits.front());
  if (std::find(info->splits.begin(), info->splits.end(), c.split) == info->splits.end()) {
    std::string valid;
    for (const auto& s : info->splits) valid += (valid.empty() ? "" : ", ") + s;
    throw std::invalid_argument(source + ".dataset.split: " + info->title + " has no split \"" + c.split + "\"; valid: " + valid);
  }
  c.dataset.split = c.split;
  c.limit = integer_value(ds, "limit", 0, source + ".dataset");
  // `protocol:` a mapping {name, keys...} or a card's name (configs/protocols/<card>.yaml).
  nlohmann::json proto = doc.value("protocol", nlohmann::json{{"name", info->protocols.front()}});
  if (proto.is_string()) {
    const ProtocolCard card = load_protocol_card(proto.get<std::string>(), base_dir);
    if (card.benchmark != c.dataset.benchmark)
      throw std::invalid_argument(source + ".protocol: card " + card.file.string() + " is for benchmark \"" + card.benchmark +
                                  "\", the dataset is \"" + c.dataset.benchmark + "\"");
    proto = card.protocol;
    c.dataset.card = card.header();
  }
  if (!proto.is_object() || !proto.contains("name"))
    throw std::invalid_argument(source + ".protocol: expected a card name or a mapping with a 'name' (" + info->title +
                                " protocols: " + [&] {
                                  std::string v;
                                  for (const auto& n : info->protocols) v += (v.empty() ? "" : ", ") + n;
                                  return v;
                                }() + ")");
  c.dataset.protocol = proto;
  try {
    c.protocol = info->check_protocol(proto);
  } catch (const std::exception& e) {
    throw std::invalid_argument(source + ".protocol: " + e.what());
  }
  if (!c.dataset.card.is_null()) c.protocol["card"] = c.dataset.card;
  try {
    c.methods = expand_methods(doc["methods"]);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(source + ".methods: " + e.what());
  }
  try {
    c.decoders = expand_decoders(doc.value("decoder", nlohmann::json()));
    for (DecoderConfig& d : c.decoders)  // draft folders resolve as model: does
      if (!draft_model_of(d).empty()) d.params["draft_model"] = resolve(draft_model_of(d)).string();
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(source + ".decoder: " + e.what());
  }
  try {
    c.reductions = reduction::expand_reductions(doc.value("reduction", nlohmann::json()));
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(source + ".reduction: " + e.what());
  }
  try {
    c.device = resolve_device(doc.value("device", std::string("cpu")));
    c.executor = resolve_executor(doc.value("executor", c.executor), c.device);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(source + ": " + e.what());
  }
  c.dtype = doc.value("dtype", c.dtype);
  if (c.dtype != "auto" && c.dtype != "bf16" && c.dtype != "fp32")
    throw std::invalid_argument(source + ".dtype: expected auto, bf16 or fp32, got " + c.dtype);
  if (doc.contains("embedding_cache")) {
    const auto& ec = doc["embedding_cache"];
    check_keys(ec, {"enabled", "dir"}, source + ".embedding_cache");
    c.embedding_cache = ec.value("enabled", true);
    if (ec.contains("dir")) c.cache_dir = resolve(ec["dir"].get<std::string>());
  }
  c.threads = int(integer_value(doc, "threads", 0, source));
  if (doc.contains("prefix_reuse")) {
    if (!doc["prefix_reuse"].is_boolean())
      throw std::invalid_argument(source + ".prefix_reuse: expected true or false, got " + doc["prefix_reuse"].dump());
    c.prefix_reuse = doc["prefix_reuse"].get<bool>();
  }
  c.resolved = doc;
  c.resolved["model"] = c.model.string();
  if (!c.model_options.empty()) c.resolved["model_options"] = c.model_options;
  c.resolved["dataset"] = {{"root", c.dataset_root.string()}, {"split", c.split}, {"limit", c.limit}};
  if (c.dataset.benchmark != "longvideobench") c.resolved["dataset"]["benchmark"] = c.dataset.benchmark;
  c.resolved["protocol"] = c.protocol;
  c.resolved["methods"] = nlohmann::json::array();
  for (const auto& m : c.methods) c.resolved["methods"].push_back(m.to_json());
  c.resolved["decoder"] = nlohmann::json::array();
  for (const auto& d : c.decoders) c.resolved["decoder"].push_back(d.to_json());
  c.resolved["reduction"] = nlohmann::json::array();
  for (const auto& r : c.reductions) c.resolved["reduction"].push_back(r.to_json());
  c.resolved["executor"] = c.executor;
  c.resolved["device"] = c.device.name;
  c.resolved["dtype"] = c.dtype;
  c.resolved["prefix_reuse"] = c.prefix_reuse;
  return c;
}

}  // namespace pevlm
