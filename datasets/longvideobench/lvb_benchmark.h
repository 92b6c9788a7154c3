// LongVideoBench behind the dataset interface (library pevlm_lvb_benchmark): the existing loader,
// protocols, prompt plans and answer rule (this folder) adapted to datasets::Benchmark, unchanged.
#pragma once

#include <memory>

#include "datasets/dataset/benchmark.h"

namespace pevlm::lvb {

// Loads <root>/lvb_val.json (split "val", the default) or lvb_test_wo_gt.json ("test") under the protocol
// spec.protocol ({"name", overrides...}; default lmms_val_v).
std::unique_ptr<datasets::Benchmark> open_benchmark(const datasets::DatasetSpec& spec);
// Validates a protocol mapping without files: Protocol::to_json().
nlohmann::json check_protocol_json(const nlohmann::json& protocol);

}  // namespace pevlm::lvb
