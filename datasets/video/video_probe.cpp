// probe(): container-level facts about the video stream (see video_reader.h).
#include "datasets/video/rgb_converter.h"
#include "datasets/video/video_input.h"
#include "datasets/video/video_reader.h"

#include <algorithm>
#include <cmath>

namespace pevlm::video {
namespace {

double rational_or_zero(AVRational r) { return (r.num > 0 && r.den > 0) ? av_q2d(r) : 0.0; }

// The end of the video stream read off its packets (demuxing only, nothing is decoded).
struct PacketExtent {
  bool found = false;
  int64_t end_pts = 0;     // max(pts + duration) over the packets read, stream time base
  int64_t packets = 0;     // packets read (all of them when whole_file)
  bool whole_file = false;
};

// Containers without a stream duration state the wrong thing or nothing: Matroska's muxer writes the
// end time as the segment duration (a 2 s clip starting at 3.5 s says 5.5 s), and files written
// without seeking back (streamed webm/mkv, piped output) have no duration at all. So the end is read off
// the last packets: from a seek to the container's stated end when there is one (a GOP of packets),
// else from the start (bounded by the file size; ~1 ms per MB).
PacketExtent packet_extent(const std::string& path, int64_t stated_end_pts) {
  detail::VideoInput in = detail::open_video_input(path, /*open_decoder=*/false);
  detail::PacketPtr pkt = detail::make_packet();
  PacketExtent e;
  e.whole_file = stated_end_pts == AV_NOPTS_VALUE ||
                 av_seek_frame(in.format.get(), in.stream_index, stated_end_pts, AVSEEK_FLAG_BACKWARD) < 0;
  for (;;) {
    const int r = av_read_frame(in.format.get(), pkt.get());
    if (r == AVERROR_EOF) break;
    if (r < 0) throw VideoError(path, "cannot read packets while measuring the duration: " + detail::av_error_with_log(r));
    const int64_t ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
    if (pkt->stream_index == in.stream_index && ts != AV_NOPTS_VALUE) {
      const int64_t end = ts + std::max<int64_t>(pkt->duration, 0);
      e.end_pts = e.found ? std::max(e.end_pts, end) : end;
      e.found = true;
    }
    if (pkt->stream_index == in.stream_index) ++e.packets;
    av_packet_unref(pkt.get());
  }
  if (!e.found && !e.whole_file) return packet_extent(path, AV_NOPTS_VALUE);  // the seek overshot
  return e;
}

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
  const int64_t start_pts = st->start_time != AV_NOPTS_VALUE ? st->start_time : 0;
  info.start_time_s = start_pts * tb;
  if (st->duration != AV_NOPTS_VALUE && st->duration > 0) {
    info.duration_s = st->duration * tb;
    info.frame_count = st->nb_frames > 0 ? st->nb_frames : std::llround(info.duration_s * info.fps);
    info.frame_count_estimated = st->nb_frames <= 0;
  } else {
    const int64_t stated_end = in.format->duration != AV_NOPTS_VALUE && in.format->duration > 0
                                   ? start_pts + av_rescale_q(in.format->duration, AV_TIME_BASE_Q, st->time_base)
                                   : AV_NOPTS_VALUE;
    const PacketExtent e = packet_extent(path, stated_end);
    if (!e.found) throw VideoError(path, "the video stream has no timestamped packets (and no stated duration)");
    // A last packet without a duration still shows for one frame period.
    info.duration_s = std::max((e.end_pts - start_pts) * tb, (e.whole_file ? e.packets : 1) / info.fps);
    // Containers without a sample table: count the packets when all were read, else estimate from the
    // duration as decord and the official LongVideoBench loader effectively do (total = duration * fps).
    info.frame_count = e.whole_file ? e.packets : std::llround(info.duration_s * info.fps);
    info.frame_count_estimated = true;
    info.duration_from_packets = true;
  }
  if (info.frame_count <= 0) throw VideoError(path, "the video stream has no frames");
  info.has_keyframe_index = avformat_index_get_entries_count(st) > 0;
  info.rotation_deg = display_rotation_degrees(st);
  return info;
}

}  // namespace detail

VideoInfo probe(const std::string& path) {
  return detail::describe_video(detail::open_video_input(path, /*open_decoder=*/false));
}

}  // namespace pevlm::video
