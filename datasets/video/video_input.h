#pragma once
// Opening a file for reading: existence and size checks, container headers, choice of the video
// stream, and (optionally) an opened decoder. Shared by probe() and the decoder. Internal.
#include "datasets/video/ffmpeg_handles.h"
#include "datasets/video/video_reader.h"

#include <string>

namespace pevlm::video::detail {

struct VideoInput {
  std::string path;
  InputPtr format;             // demuxer
  AVStream* stream = nullptr;  // the chosen video stream (owned by `format`)
  int stream_index = -1;
  CodecCtxPtr decoder;         // null unless open_video_input(..., open_decoder = true)
};

// Settings applied to the decoder when one is opened.
struct DecoderSettings {
  int threads = 0;      // AVCodecContext::thread_count (0 = auto)
  bool strict = true;   // err_recognition |= AV_EF_EXPLODE
};

// Throws VideoError for a missing/unreadable/empty file, an unknown container, a file without a
// (non-cover-art) video stream, or a codec without a decoder.
VideoInput open_video_input(const std::string& path, bool open_decoder, const DecoderSettings& settings = {});

// probe()'s facts from an opened input (throws VideoError for streams without rate/duration/frames).
VideoInfo describe_video(const VideoInput& in);

// Comma-separated media types of all streams ("audio, subtitle"), for error messages.
std::string describe_streams(const AVFormatContext* format);

}  // namespace pevlm::video::detail
