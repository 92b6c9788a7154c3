// pevlm_video in a build without FFmpeg (cmake -DPEVLM_WITH_FFMPEG=OFF, GPU nodes where FFmpeg cannot
// be installed): the reader/writer API of video_reader.h and video_writer.h, every call raising
// VideoError that names the file and the way out (a frames cache written where FFmpeg exists).
#include "datasets/video/video_reader.h"
#include "datasets/video/video_writer.h"

namespace pevlm::video {
namespace {

[[noreturn]] void unavailable(const std::string& path) {
  throw VideoError(path, "this pevlm was built without FFmpeg (PEVLM_WITH_FFMPEG=OFF): decode the frames on a machine "
                         "with FFmpeg into a frames cache (pevlm eval --frames-cache DIR) and pass the same --frames-cache here");
}

}  // namespace

std::array<uint8_t, 3> VideoFrames::pixel(size_t i, int x, int y) const {
  const uint8_t* p = frame(i) + (static_cast<size_t>(y) * width + x) * 3;
  return {p[0], p[1], p[2]};
}

VideoInfo probe(const std::string& path) { unavailable(path); }
VideoFrames decode_frames(const std::string& path, const std::vector<int64_t>&, const DecodeOptions&) { unavailable(path); }
VideoFrames decode_at_timestamps(const std::string& path, const std::vector<double>&, const DecodeOptions&) {
  unavailable(path);
}

struct VideoWriter::Impl {
  std::string codec = "none";
};
VideoWriter::VideoWriter(const std::string& path, const VideoWriterOptions&) { unavailable(path); }
VideoWriter::~VideoWriter() = default;
void VideoWriter::write_rgb(const uint8_t*) {}
void VideoWriter::finish() {}
const std::string& VideoWriter::codec_name() const { return impl_->codec; }
int64_t VideoWriter::frames_written() const { return 0; }
std::string default_video_encoder() { return "none"; }

}  // namespace pevlm::video
