// Fuzzes Video-MME's SubRip subtitles (datasets/videomme/srt.cpp) through both cue choices: the official
// rule at 8 sampled frame times and lmms-eval's frame_num variant (subtitle_select.cpp, incl. the CPython
// set order) on a 600-frame, 25 fps clip.
#include "datasets/videomme/srt.h"
#include "datasets/videomme/subtitle_select.h"
#include "fuzz/fuzz_common.h"

using namespace pevlm::videomme;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pevlm::fuzz::expect_clean([&] {
    const auto cues = parse_srt(std::string(pevlm::fuzz::as_text(data, size)), "fuzz.srt");
    (void)cues_at_frame_times(cues, {0, 2.5, 5, 7.5, 10, 12.5, 15, 17.5});
    (void)lmms_subtitle_lines(cues, 600, 25.0, 32);
  });
  return 0;
}
