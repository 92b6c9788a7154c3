// The benchmark registry (library pevlm_datasets, torch-free; issue 24 item 1): name -> loader,
// protocols, splits, the files a user must provide. The harness opens every benchmark through it.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "datasets/dataset/benchmark.h"

namespace pevlm::datasets {

struct BenchmarkInfo {
  std::string name;                    // "longvideobench", "videomme", "mlvu", "lvbench"
  std::string title;                   // "LongVideoBench", ...
  std::vector<std::string> splits;     // first = default
  std::vector<std::string> protocols;  // first = default
  std::string layout;                  // the files expected under the root (error messages, --help)
  std::function<std::unique_ptr<Benchmark>(const DatasetSpec&)> open;
  // Validates a protocol mapping ({"name", keys...}) without files; returns its full JSON.
  std::function<nlohmann::json(const nlohmann::json&)> check_protocol;
};

const std::vector<BenchmarkInfo>& benchmark_infos();
// Throws std::invalid_argument naming `name` and listing the registered benchmarks.
const BenchmarkInfo& benchmark_info(const std::string& name);

// Opens spec.benchmark under spec.root. Errors (unknown benchmark, split or protocol; a missing or
// malformed annotation file) name what was expected, including the benchmark's layout.
std::unique_ptr<Benchmark> open_benchmark(const DatasetSpec& spec);

}  // namespace pevlm::datasets
