#include "harness/simulate/device_profile.h"

#include <stdexcept>

#include "harness/config_io.h"

namespace pevlm {
namespace {

double number(const nlohmann::json& doc, const std::string& key, const std::string& where, double lo, double hi, bool lo_open) {
  const auto& v = doc.at(key);
  if (!v.is_number()) throw std::invalid_argument(where + ": key '" + key + "' must be a number, got " + v.dump());
  const double x = v.get<double>();
  if ((lo_open ? !(x > lo) : !(x >= lo)) || x > hi)
    throw std::invalid_argument(where + ": key '" + key + "' = " + v.dump() + " out of range " + (lo_open ? "(" : "[") +
                                std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return x;
}

}  // namespace

nlohmann::json DeviceProfile::to_json() const {
  return {{"name", name},
          {"description", description},
          {"dtype", dtype},
          {"peak_tflops", peak_tflops},
          {"memory_bandwidth_gbs", memory_bandwidth_gbs},
          {"matmul_efficiency", matmul_efficiency},
          {"attention_efficiency", attention_efficiency},
          {"bandwidth_efficiency", bandwidth_efficiency},
          {"layer_overhead_ms", layer_overhead_ms},
          {"bytes_per_element", bytes_per_element}};
}

DeviceProfile device_profile_from_json(const nlohmann::json& doc, const std::string& where) {
  if (!doc.is_object()) throw std::invalid_argument(where + ": expected a mapping of profile keys");
  check_keys(doc,
             {"name", "description", "dtype", "peak_tflops", "memory_bandwidth_gbs", "matmul_efficiency", "attention_efficiency",
              "bandwidth_efficiency", "layer_overhead_ms", "bytes_per_element"},
             where,
             {"name", "peak_tflops", "memory_bandwidth_gbs", "matmul_efficiency", "attention_efficiency", "bandwidth_efficiency",
              "layer_overhead_ms"});
  DeviceProfile p;
  if (!doc["name"].is_string()) throw std::invalid_argument(where + ": key 'name' must be a string");
  p.name = doc["name"];
  p.description = doc.value("description", std::string());
  p.dtype = doc.value("dtype", std::string("bf16"));
  if (p.dtype != "bf16" && p.dtype != "fp16" && p.dtype != "fp32")
    throw std::invalid_argument(where + ": key 'dtype' must be bf16, fp16 or fp32, got '" + p.dtype + "'");
  p.peak_tflops = number(doc, "peak_tflops", where, 0, 1e5, true);
  p.memory_bandwidth_gbs = number(doc, "memory_bandwidth_gbs", where, 0, 1e6, true);
  p.matmul_efficiency = number(doc, "matmul_efficiency", where, 0, 1, true);
  p.attention_efficiency = number(doc, "attention_efficiency", where, 0, 1, true);
  p.bandwidth_efficiency = number(doc, "bandwidth_efficiency", where, 0, 1, true);
  p.layer_overhead_ms = number(doc, "layer_overhead_ms", where, 0, 1e4, false);
  p.bytes_per_element = doc.contains("bytes_per_element") ? number(doc, "bytes_per_element", where, 0, 8, true)
                                                           : (p.dtype == "fp32" ? 4.0 : 2.0);
  return p;
}

DeviceProfile load_device_profile(const std::filesystem::path& path) {
  return device_profile_from_json(load_yaml_file(path), path.string());
}

}  // namespace pevlm
