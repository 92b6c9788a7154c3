// Device profiles for the latency simulator (configs/devices/*.yaml): peak compute, memory
// bandwidth and the efficiency factors a roofline model needs. Unknown keys are rejected.
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace pevlm {

struct DeviceProfile {
  std::string name;
  std::string description;
  std::string dtype = "bf16";         // the compute type `peak_tflops` refers to
  double peak_tflops = 0;             // dense peak of that type, TFLOP/s
  double memory_bandwidth_gbs = 0;    // GB/s (1e9 bytes/s)
  double matmul_efficiency = 0;       // achieved / peak for large GEMMs (linear layers)
  double attention_efficiency = 0;    // achieved / peak for the attention kernel (flash)
  double bandwidth_efficiency = 0;    // achieved / peak bandwidth for memory-bound work
  double layer_overhead_ms = 0;       // fixed cost per transformer layer per pass (launches, syncs)
  double bytes_per_element = 2;       // weights and activations (2 for bf16, 4 for fp32)

  double matmul_flops_per_s() const { return peak_tflops * 1e12 * matmul_efficiency; }
  double attention_flops_per_s() const { return peak_tflops * 1e12 * attention_efficiency; }
  double bytes_per_s() const { return memory_bandwidth_gbs * 1e9 * bandwidth_efficiency; }
  nlohmann::json to_json() const;
};

// Throws std::invalid_argument "<where>: unknown key 'k'; valid keys: ..." or naming the key whose
// value is missing / out of range (efficiencies in (0, 1], peaks > 0, overhead >= 0).
DeviceProfile device_profile_from_json(const nlohmann::json& doc, const std::string& where);
DeviceProfile load_device_profile(const std::filesystem::path& path);

}  // namespace pevlm
