// Device profiles: every shipped profile loads; unknown, missing and out-of-range keys are
// errors that name the key.
#include <gtest/gtest.h>

#include <filesystem>

#include "harness/config_io.h"
#include "harness/simulate/device_profile.h"

namespace pevlm {
namespace {

nlohmann::json good() {
  return {{"name", "x"}, {"peak_tflops", 100}, {"memory_bandwidth_gbs", 1000}, {"matmul_efficiency", 0.8},
          {"attention_efficiency", 0.6}, {"bandwidth_efficiency", 0.8}, {"layer_overhead_ms", 0.1}};
}

std::string error_of(const nlohmann::json& doc) {
  try {
    device_profile_from_json(doc, "p.yaml");
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(SimulateProfile, ShippedProfilesLoad) {
  int n = 0;
  for (const auto& f : std::filesystem::directory_iterator(PEVLM_SOURCE_DIR "/configs/devices")) {
    if (f.path().extension() != ".yaml") continue;
    const DeviceProfile p = load_device_profile(f.path());
    EXPECT_EQ(p.name + ".yaml", f.path().filename().string());
    ++n;
  }
  EXPECT_GE(n, 4);
  const DeviceProfile h20 = load_device_profile(PEVLM_SOURCE_DIR "/configs/devices/h20.yaml");
  EXPECT_DOUBLE_EQ(h20.peak_tflops, 148);
  EXPECT_DOUBLE_EQ(h20.memory_bandwidth_gbs, 4000);
  EXPECT_DOUBLE_EQ(h20.bytes_per_element, 2);
  EXPECT_DOUBLE_EQ(load_device_profile(PEVLM_SOURCE_DIR "/configs/devices/cpu-epyc-2core.yaml").bytes_per_element, 4);
}

TEST(SimulateProfile, ErrorsNameTheKey) {
  EXPECT_EQ(error_of(good()), "");
  nlohmann::json d = good();
  d["peak_tflop"] = 5;
  EXPECT_NE(error_of(d).find("peak_tflop'"), std::string::npos) << error_of(d);
  d = good();
  d.erase("attention_efficiency");
  EXPECT_NE(error_of(d).find("attention_efficiency"), std::string::npos) << error_of(d);
  d = good();
  d["matmul_efficiency"] = 1.5;
  EXPECT_NE(error_of(d).find("matmul_efficiency"), std::string::npos) << error_of(d);
  d = good();
  d["memory_bandwidth_gbs"] = "fast";
  EXPECT_NE(error_of(d).find("memory_bandwidth_gbs"), std::string::npos) << error_of(d);
  d = good();
  d["dtype"] = "int8";
  EXPECT_NE(error_of(d).find("dtype"), std::string::npos) << error_of(d);
  EXPECT_NE(error_of(d).find("p.yaml"), std::string::npos);
}

TEST(SimulateProfile, YamlUnknownKeyNamesFileAndKey) {
  const auto path = std::filesystem::temp_directory_path() / ("pevlm_profile_" + std::to_string(::getpid()) + ".yaml");
  write_text_file(path, "name: x\npeak_tflops: 1\nmemory_bandwidth_gbs: 1\nmatmul_efficiency: 1\nattention_efficiency: 1\n"
                        "bandwidth_efficiency: 1\nlayer_overhead_ms: 0\nclock_ghz: 2\n");
  try {
    load_device_profile(path);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("clock_ghz"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
  }
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace pevlm
