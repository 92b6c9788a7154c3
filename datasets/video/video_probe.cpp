// probe(): container-level facts about the video stream (see video_reader.h).
#include "datasets/video/video_input.h"
#include "datasets/video/video_reader.h"

#include <cmath>

namespace pevlm::video {
namespace {

double rational_or_zero(AVRational r) { return (r.num > 0 && r.den > 0) ? av_q2d(r) : 0.0; }

}  // namespace

namespace detail {

VideoInfo describe_video(const VideoInput& in) {
  const std::string& path = in.path;
  const AVStream* st = in.stream;
  VideoInfo info;
  info.path = path;
  info.width = st->codecpar->width;
  info.height = st->codecpar->height;
  info.codec = avcodec_get_name(st->codecpar->codec_id);
  info.fps = rational_or_zero(st->avg_frame_rate);
  if (info.fps <= 0) info.fps = rational_or_zero(st->r_frame_rate);
  if (info.fps <= 0) throw VideoError(path, "the video stream has no frame rate");
  const double tb = av_q2d(st->time_base);
  if (st->duration != AV_NOPTS_VALUE && st->duration > 0) {
    info.duration_s = st->duration * tb;
  } else if (in.format->duration != AV_NOPTS_VALUE && in.format->duration > 0) {
    info.duration_s = in.format->duration / static_cast<double>(AV_TIME_BASE);
  } else {
    throw VideoError(path, "neither the stream nor the container states a duration");
  }
  if (st->start_time != AV_NOPTS_VALUE) info.start_time_s = st->start_time * tb;
  if (st->nb_frames > 0) {
    info.frame_count = st->nb_frames;
  } else {
    // Containers without a sample table (mkv/webm, mpeg-ts, raw streams): estimate from the duration,
    // as decord and the official LongVideoBench loader effectively do (total = duration * fps).
    info.frame_count = std::llround(info.duration_s * info.fps);
    info.frame_count_estimated = true;
  }
  if (info.frame_count <= 0) throw VideoError(path, "the video stream has no frames");
  info.has_keyframe_index = avformat_index_get_entries_count(st) > 0;
  return info;
}

}  // namespace detail

VideoInfo probe(const std::string& path) {
  return detail::describe_video(detail::open_video_input(path, /*open_decoder=*/false));
}

}  // namespace pevlm::video
