#pragma once
// Encoding RGB24 frames to an .mp4 with libavcodec/libavformat (used by the synthetic LongVideoBench
// generator and by tests). H.264 through libx264 when FFmpeg was built with it, else MPEG-4 part 2
// (FFmpeg's native encoder); `codec_name()` records which one was used.
#include "datasets/video/video_error.h"

#include <cstdint>
#include <memory>
#include <string>

namespace pevlm::video {

struct VideoWriterOptions {
  double fps = 2.0;             // constant frame rate (stored exactly for rates like 1, 2, 4, 25, 30000/1001)
  int width = 0;                // must be even and positive (4:2:0 chroma)
  int height = 0;
  int gop = 32;                 // frames between keyframes
  std::string codec = "auto";   // "auto" (libx264, else mpeg4), "libx264" or "mpeg4"
  int quality = 20;             // libx264 CRF (0-51); mpeg4 qscale = max(2, quality / 5); lower = better
  int max_b_frames = 2;         // B-frames exercise the reader's reordering/seek checks, as real videos do
  int threads = 1;              // encoder threads; 1 keeps the output byte-identical run to run
};

// Writes frames one at a time; finish() (or the destructor, which swallows errors) completes the file.
class VideoWriter {
 public:
  // Opens `path` for writing; throws VideoError (bad options, no encoder, unwritable path).
  VideoWriter(const std::string& path, const VideoWriterOptions& options);
  ~VideoWriter();
  VideoWriter(const VideoWriter&) = delete;
  VideoWriter& operator=(const VideoWriter&) = delete;

  // Appends one frame: height x width x 3 bytes, RGB24, rows contiguous.
  void write_rgb(const uint8_t* rgb_HWC);
  // Flushes the encoder and writes the container trailer. Idempotent.
  void finish();

  // The encoder actually used: "libx264" or "mpeg4".
  const std::string& codec_name() const;
  int64_t frames_written() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The encoder "auto" resolves to on this FFmpeg build.
std::string default_video_encoder();

}  // namespace pevlm::video
