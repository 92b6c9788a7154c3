// Fuzzes LongVideoBench subtitle files (datasets/longvideobench/subtitles.cpp): both schemas
// ({"timestamp": [start, end|null], "text"} and {"start": "HH:MM:SS.fff", "end", "line"}) through
// load_subtitles, then the official protocol's interleaving with 8 frames over a 20 s clip.
#include "datasets/longvideobench/subtitles.h"
#include "fuzz/fuzz_common.h"

using namespace pevlm::lvb;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto file = pevlm::fuzz::scratch_dir("lvb_subtitles") / "clip_en.json";
  pevlm::fuzz::write_file(file, pevlm::fuzz::as_text(data, size));
  pevlm::fuzz::expect_clean([&] {
    const auto subs = load_subtitles(file);
    const std::vector<double> frames{0, 2.5, 5, 7.5, 10, 12.5, 15, 17.5};
    (void)interleave_subtitles(frames, subs, /*starting_timestamp_for_subtitles=*/3.0, /*duration=*/20.0);
  });
  return 0;
}
