// Fuzzes the YAML configuration loader (harness/config_io.cpp load_yaml_file -> JSON; every loaded
// document must dump back to JSON text) and, on YAML that loads, the torch-free speed config validation
// (parse_speed_config: layout, shape, method sweeps through methods/method_registry). The eval config is
// not covered: its header needs libtorch (c10 device).
#include "fuzz/fuzz_common.h"
#include "harness/config_io.h"
#include "harness/speed/speed_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto dir = pevlm::fuzz::scratch_dir("config_yaml");
  const auto file = dir / "config.yaml";
  pevlm::fuzz::write_file(file, pevlm::fuzz::as_text(data, size));
  nlohmann::json doc;
  try {
    doc = pevlm::load_yaml_file(file);
  } catch (const std::exception&) {
    return 0;
  }
  (void)doc.dump();
  pevlm::fuzz::expect_clean([&] { (void)pevlm::parse_speed_config(doc, "config.yaml"); });
  return 0;
}
