#pragma once
// Video probing and frame extraction with FFmpeg (libavformat + libavcodec + libswscale), torch-free.
//
// The dataset protocols (datasets/longvideobench) compute which frames to use; this layer turns frame
// indices or timestamps into RGB24 bytes as fast as the file allows:
//  - targets are sorted (outputs keep the caller's order, duplicates are decoded once);
//  - before each target the reader seeks (av_seek_frame, AVSEEK_FLAG_BACKWARD) to the keyframe preceding
//    it only when that keyframe lies more than `seek_gap_s` beyond what was already decoded (or, for
//    files without a keyframe index, when the target is that far ahead); otherwise it decodes forward;
//  - a seek that lands after the target (imprecise index, B-frame reordering) is retried further back,
//    down to the start of the stream, so seeking never changes which frame is returned;
//  - decoding uses the codec's own threads (thread_count) and swscale converts to RGB24 honouring the
//    stream's colour matrix and range (as the `ffmpeg` CLI's scale filter does).
// Every failure (missing, empty, truncated, corrupt, audio-only file, out-of-range target) throws
// VideoError naming the file and the problem.
#include "datasets/video/video_error.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace pevlm::video {

// What a container says about its first video stream (probe reads headers only; nothing is decoded
// beyond what avformat_find_stream_info needs).
struct VideoInfo {
  std::string path;
  double fps = 0;                      // average frame rate (avg_frame_rate, else r_frame_rate)
  double duration_s = 0;               // stream duration, else measured from the last packets (see below)
  double start_time_s = 0;             // pts of the first frame; frame times below are relative to it
  int64_t frame_count = 0;             // stream nb_frames from the container's sample table, or the estimate
  bool frame_count_estimated = false;  // true when the container has no count: frame_count = round(duration_s * fps),
                                       // or the number of packets when duration_from_packets
  bool duration_from_packets = false;  // no stream duration (mkv/webm, streamed files): the end of the last packet,
                                       // not the container's figure (Matroska states the end time, start included)
  int width = 0;
  int height = 0;
  std::string codec;                   // decoder short name: "h264", "mpeg4", "vp9", ...
  bool has_keyframe_index = false;     // the demuxer knows keyframe positions (mp4/mkv cues) -> exact seeking
  int rotation_deg = 0;                // clockwise display rotation from the stream's display matrix (phone
                                       // videos: 90/180/270), as the ffmpeg CLI's autorotate reads it; frames are
                                       // delivered as stored unless DecodeOptions::apply_rotation
};

// Knobs for decode_frames / decode_at_timestamps. Defaults are what the harness uses.
struct DecodeOptions {
  int threads = 0;           // libavcodec thread_count; 0 lets FFmpeg use one thread per core
  bool allow_seek = true;    // false: decode sequentially from the start (the reference in tests)
  double seek_gap_s = 1.0;   // seek only if that skips more than this (keyframe index), or without an
                             // index if the next target is this far ahead of the newest decoded frame
  bool strict = true;        // AV_EF_EXPLODE: corrupt data raises VideoError instead of being concealed
                             // (false accepts damaged files with FFmpeg's error concealment)
  int out_width = 0;         // 0 = native size; otherwise swscale resizes (bilinear) to out_width x out_height
  int out_height = 0;        // (the delivered size, after any rotation)
  bool apply_rotation = false;  // rotate frames by VideoInfo::rotation_deg as players and the ffmpeg CLI do.
                             // Off by default: LongVideoBench's loader (decord) and qwen-vl-utils ignore the
                             // display matrix, and the benchmark's numbers were produced that way.
};

// Decoded RGB frames, in the order the caller asked for them.
struct VideoFrames {
  int width = 0;                  // of every frame (native or DecodeOptions::out_width)
  int height = 0;
  std::vector<uint8_t> rgb_NHWC;  // [frames, height, width, 3] contiguous, RGB24
  std::vector<double> pts_s;      // presentation time of each delivered frame, seconds from the first frame
  std::vector<int64_t> pts;       // the same in the stream's time base (raw container timestamps)
  int64_t frames_decoded = 0;     // how many frames the decoder produced (efficiency diagnostics)
  int seeks = 0;                  // how many av_seek_frame calls were made
  int rotation_applied_deg = 0;   // clockwise rotation applied to every frame (0 unless apply_rotation)

  size_t size() const { return pts.size(); }
  size_t frame_bytes() const { return static_cast<size_t>(width) * height * 3; }
  const uint8_t* frame(size_t i) const { return rgb_NHWC.data() + i * frame_bytes(); }
  // Pixel (x, y) of frame i as {r, g, b}; bounds are checked.
  std::array<uint8_t, 3> pixel(size_t i, int x, int y) const;
};

// Reads the container headers of `path`. Throws VideoError.
VideoInfo probe(const std::string& path);

// Frames at 0-based indices; index i is the frame displayed at start + i / fps (exact for the
// constant-frame-rate videos LongVideoBench ships; decord and the official loader assume the same).
// Indices must lie in [0, frame_count) (frame_count from probe). A target up to max(2 frames, 1 s) past
// the last decodable frame returns that frame (estimated counts, durations that include audio); further
// means the file lacks frames its headers promise (truncated) -> VideoError. Throws VideoError.
VideoFrames decode_frames(const std::string& path, const std::vector<int64_t>& frame_indices,
                          const DecodeOptions& options = {});

// Frames displayed at the given times (seconds from the first frame): the last frame whose pts <= t
// (1 ms tolerance). Times must lie in [0, duration_s]. Throws VideoError.
VideoFrames decode_at_timestamps(const std::string& path, const std::vector<double>& seconds,
                                 const DecodeOptions& options = {});

}  // namespace pevlm::video
