// Fuzzes the FFmpeg-based video reader (datasets/video: video::probe, decode_frames) on arbitrary bytes:
// the input is written to a file (no extension: the container is found by content), probed, and when the
// probe succeeds with a small picture (<= 640x480), frame 0 is decoded on one thread, strict (AV_EF_EXPLODE:
// corrupt data must raise VideoError) and then lenient (error concealment).
#include "datasets/video/video_reader.h"
#include "fuzz/fuzz_common.h"

using namespace pevlm::video;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto file = (pevlm::fuzz::scratch_dir("video_probe") / "input").string();
  pevlm::fuzz::write_file(file, pevlm::fuzz::as_text(data, size));
  VideoInfo info;
  try {
    info = probe(file);
  } catch (const std::exception&) {
    return 0;
  }
  if (info.width <= 0 || info.height <= 0 || info.width > 640 || info.height > 480 || info.frame_count <= 0) return 0;
  for (bool strict : {true, false}) {
    pevlm::fuzz::expect_clean([&] {
      DecodeOptions opt;
      opt.threads = 1;
      opt.strict = strict;
      const VideoFrames f = decode_frames(file, {0}, opt);
      if (f.size() == 1) (void)f.pixel(0, f.width - 1, f.height - 1);
    });
  }
  return 0;
}
