// Fuzzes the annotation loaders of the benchmarks behind the dataset interface: the input is written as
// Video-MME's videomme.jsonl, LVBench's video_info.meta.jsonl and MLVU's json/1_plotQA.json (the other six
// MLVU task files empty) and each loader runs on it (datasets/videomme, lvbench, mlvu).
#include "datasets/lvbench/lvbench.h"
#include "datasets/mlvu/mlvu.h"
#include "datasets/videomme/annotations.h"
#include "fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& root = pevlm::fuzz::scratch_dir("benchmark_annotations");
  const std::string text(pevlm::fuzz::as_text(data, size));
  pevlm::fuzz::write_file(root / "videomme.jsonl", text);
  pevlm::fuzz::write_file(root / "video_info.meta.jsonl", text);
  std::filesystem::create_directories(root / "json");
  for (const auto& tf : pevlm::mlvu::task_files())
    pevlm::fuzz::write_file(root / "json" / (tf.stem + ".json"), tf.stem == "1_plotQA" ? text : "[]");
  pevlm::fuzz::expect_clean([&] { (void)pevlm::videomme::load_annotations(root); });
  pevlm::fuzz::expect_clean([&] { (void)pevlm::lvbench::load_annotations(root); });
  pevlm::fuzz::expect_clean([&] { (void)pevlm::mlvu::load_dev(root); });
  return 0;
}
