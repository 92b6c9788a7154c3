#include "datasets/registry/registry.h"

#include <stdexcept>

#include "datasets/longvideobench/lvb_benchmark.h"
#include "datasets/longvideobench/protocol.h"
#include "datasets/lvbench/lvbench.h"
#include "datasets/mlvu/mlvu.h"
#include "datasets/videomme/videomme.h"

namespace pevlm::datasets {

const std::vector<BenchmarkInfo>& benchmark_infos() {
  static const std::vector<BenchmarkInfo> kInfos = {
      {"longvideobench", "LongVideoBench", {"val", "test"}, lvb::protocol_names(),
       "lvb_val.json | lvb_test_wo_gt.json, videos/<video_path>, subtitles/<subtitle_path>", lvb::open_benchmark,
       lvb::check_protocol_json},
      {"videomme", "Video-MME", {"test"}, videomme::protocol_names(),
       "videomme.jsonl (scripts/convert-videomme-parquet), data/{videoID}.mp4|.MP4|.mkv, subtitle/{videoID}.srt",
       videomme::open, videomme::check_protocol},
      {"mlvu", "MLVU dev", {"dev"}, mlvu::protocol_names(),
       "json/1_plotQA.json .. json/7_topic_reasoning.json, video/<json stem>/<video>", mlvu::open, mlvu::check_protocol},
      {"lvbench", "LVBench", {"all"}, lvbench::protocol_names(), "video_info.meta.jsonl, videos/<key>.mp4", lvbench::open,
       lvbench::check_protocol},
  };
  return kInfos;
}

const BenchmarkInfo& benchmark_info(const std::string& name) {
  std::string valid;
  for (const auto& b : benchmark_infos()) {
    if (b.name == name) return b;
    valid += (valid.empty() ? "" : ", ") + b.name;
  }
  throw std::invalid_argument("unknown benchmark \"" + name + "\"; valid: " + valid);
}

std::unique_ptr<Benchmark> open_benchmark(const DatasetSpec& spec) {
  const BenchmarkInfo& info = benchmark_info(spec.benchmark);
  if (!std::filesystem::is_directory(spec.root))
    throw std::runtime_error(info.title + ": dataset root " + spec.root.string() + " is not a folder (expected " + info.layout + ")");
  try {
    return info.open(spec);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(std::string(e.what()) + " [" + info.title + " layout under the root: " + info.layout + "]");
  }
}

}  // namespace pevlm::datasets
