// decode_frames / decode_at_timestamps: sorted targets, keyframe-aware seeking, RGB24 conversion.
// See video_reader.h for the contract. Decoding follows FFmpeg's doc/examples/decode_video.c
// (receive-before-send loop, drain at end of file); seeking is decided per target (seek_target) and
// checked after landing (frame_at).
#include "datasets/video/rgb_converter.h"
#include "datasets/video/video_input.h"
#include "datasets/video/video_reader.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>

namespace pevlm::video {
namespace {

using detail::FramePtr;

// One requested frame: the latest frame with pts <= pts_limit is delivered to output slot `slot`.
struct Target {
  int64_t pts_limit = 0;  // stream time base
  size_t slot = 0;
};

// Owns the demuxer + decoder and walks forward through the stream, keeping the last frame at or
// before the current target (`prev`) and the first one after it (`ahead`).
class ForwardDecoder {
 public:
  ForwardDecoder(detail::VideoInput in, const DecodeOptions& opt)
      : in_(std::move(in)), opt_(opt), pkt_(detail::make_packet()),
        prev_(detail::make_frame()), ahead_(detail::make_frame()) {
    tb_ = av_q2d(in_.stream->time_base);
    start_pts_ = in_.stream->start_time != AV_NOPTS_VALUE ? in_.stream->start_time : 0;
    AVRational rate = in_.stream->avg_frame_rate.num > 0 ? in_.stream->avg_frame_rate : in_.stream->r_frame_rate;
    frame_dur_ = rate.num > 0 ? av_rescale_q(1, av_inv_q(rate), in_.stream->time_base) : 1;
    if (frame_dur_ <= 0) frame_dur_ = 1;
  }

  int64_t start_pts() const { return start_pts_; }
  int64_t frame_duration() const { return frame_dur_; }
  double time_base() const { return tb_; }
  const std::string& path() const { return in_.path; }

  // Positions the decoder so that `prev` is the frame displayed at pts_limit; returns it (or, for a
  // target before the first frame, the first frame). Throws VideoError when the stream has no frames.
  const AVFrame* frame_at(int64_t pts_limit, int64_t* pts_out);

  int64_t frames_decoded = 0;
  int seeks = 0;

 private:
  int64_t seek_target(int64_t pts_limit) const;
  void seek(int64_t pts);
  void advance_to(int64_t pts_limit);
  bool decode_next(AVFrame* out);
  int64_t frame_pts(const AVFrame* f);

  detail::VideoInput in_;
  DecodeOptions opt_;
  detail::PacketPtr pkt_;
  FramePtr prev_, ahead_;
  bool have_prev_ = false, have_ahead_ = false;
  int64_t prev_pts_ = 0, ahead_pts_ = 0, last_pts_ = AV_NOPTS_VALUE;
  bool demux_eof_ = false, stream_end_ = false;
  bool from_start_ = true;  // decoding began at the stream start (no seek since, or a seek to the start)
  double tb_ = 0;
  int64_t start_pts_ = 0, frame_dur_ = 1;
};

int64_t ForwardDecoder::frame_pts(const AVFrame* f) {
  int64_t p = f->best_effort_timestamp != AV_NOPTS_VALUE ? f->best_effort_timestamp : f->pts;
  // Streams without timestamps: continue from the previous frame at the nominal frame rate.
  if (p == AV_NOPTS_VALUE) p = last_pts_ == AV_NOPTS_VALUE ? start_pts_ : last_pts_ + frame_dur_;
  last_pts_ = p;
  return p;
}

// Receive-before-send loop of the libavcodec decoding API; false at the end of the stream.
bool ForwardDecoder::decode_next(AVFrame* out) {
  AVCodecContext* dec = in_.decoder.get();
  for (;;) {
    int r = avcodec_receive_frame(dec, out);
    if (r == 0) {
      ++frames_decoded;
      return true;
    }
    if (r == AVERROR_EOF) return false;
    if (r != AVERROR(EAGAIN))
      throw VideoError(in_.path, "corrupt video data (decoder: " + detail::av_error_with_log(r) + ")");
    if (demux_eof_)  // a draining decoder must not ask for input; never loop on it
      throw VideoError(in_.path, "the decoder wants more data after the end of the file");
    r = av_read_frame(in_.format.get(), pkt_.get());
    if (r == AVERROR_EOF) {
      demux_eof_ = true;
      avcodec_send_packet(dec, nullptr);  // drain frames still inside the decoder
      continue;
    }
    if (r < 0) throw VideoError(in_.path, "cannot read packets: " + detail::av_error_with_log(r));
    if (pkt_->stream_index != in_.stream_index) {
      av_packet_unref(pkt_.get());
      continue;
    }
    const int64_t pkt_pts = pkt_->pts;
    r = avcodec_send_packet(dec, pkt_.get());
    av_packet_unref(pkt_.get());
    if (r < 0 && r != AVERROR(EAGAIN))
      throw VideoError(in_.path, "corrupt video data in the packet at pts " + std::to_string(pkt_pts) +
                                     " (decoder: " + detail::av_error_with_log(r) + ")");
  }
}

// Where to seek before decoding up to pts_limit, or AV_NOPTS_VALUE to keep decoding forward. Seek when
// the keyframe preceding the target lies more than seek_gap_s beyond the newest decoded frame (the
// frames in between need not be decoded; a nearer keyframe is not worth the flush of the decoder's
// threads); without a keyframe index, when the target itself is that far ahead.
// Index timestamps are decode times in mov (a keyframe's pts exceeds its dts by the reorder delay,
// has_b_frames frames) but presentation times in Matroska cues; the decision looks the keyframe up at
// pts_limit minus that delay (never a keyframe shown after the target), while the seek itself passes
// the target pts and lets the demuxer map it (mov subtracts its own dts shift; seeking to the index
// entry's dts would land one GOP early there).
int64_t ForwardDecoder::seek_target(int64_t pts_limit) const {
  if (!opt_.allow_seek) return AV_NOPTS_VALUE;
  if (have_ahead_ && ahead_pts_ > pts_limit) return AV_NOPTS_VALUE;  // the answer is already in hand
  const int64_t newest = have_ahead_ ? ahead_pts_ : (have_prev_ ? prev_pts_ : start_pts_);
  const int64_t gap = static_cast<int64_t>(opt_.seek_gap_s / tb_);
  AVStream* st = in_.stream;
  if (avformat_index_get_entries_count(st) > 0) {
    const int64_t reorder = static_cast<int64_t>(st->codecpar->video_delay) * frame_dur_;
    const int idx = av_index_search_timestamp(st, pts_limit - reorder, AVSEEK_FLAG_BACKWARD);
    const AVIndexEntry* e = idx >= 0 ? avformat_index_get_entry(st, idx) : nullptr;
    if (e == nullptr || e->timestamp - newest <= gap) return AV_NOPTS_VALUE;
    return pts_limit;
  }
  return pts_limit - newest > gap ? pts_limit : AV_NOPTS_VALUE;
}

void ForwardDecoder::seek(int64_t pts) {
  const int r = av_seek_frame(in_.format.get(), in_.stream_index, pts, AVSEEK_FLAG_BACKWARD);
  if (r < 0) throw VideoError(in_.path, "seek to pts " + std::to_string(pts) + " failed: " + detail::av_error_with_log(r));
  ++seeks;
  avcodec_flush_buffers(in_.decoder.get());
  have_prev_ = have_ahead_ = false;
  demux_eof_ = stream_end_ = false;
  last_pts_ = AV_NOPTS_VALUE;
  from_start_ = pts <= start_pts_;
}

// Decode forward until `ahead` is past pts_limit (or the stream ends).
void ForwardDecoder::advance_to(int64_t pts_limit) {
  while (!(have_ahead_ && ahead_pts_ > pts_limit)) {
    if (have_ahead_) {
      std::swap(prev_, ahead_);
      prev_pts_ = ahead_pts_;
      have_prev_ = true;
      have_ahead_ = false;
    }
    if (stream_end_) return;
    av_frame_unref(ahead_.get());
    if (!decode_next(ahead_.get())) {
      stream_end_ = true;
      return;
    }
    ahead_pts_ = frame_pts(ahead_.get());
    have_ahead_ = true;
  }
}

const AVFrame* ForwardDecoder::frame_at(int64_t pts_limit, int64_t* pts_out) {
  const int64_t seek_to = seek_target(pts_limit);
  if (seek_to != AV_NOPTS_VALUE) seek(seek_to);
  advance_to(pts_limit);
  // A seek that landed after the target (index timestamps are decode times; B-frames reorder) would
  // return the wrong frame: go back further, doubling the distance, ending at the stream start.
  int64_t back = std::max<int64_t>(frame_dur_, static_cast<int64_t>(1.0 / tb_));
  for (int attempt = 0; !have_prev_ && !from_start_ && attempt < 32; ++attempt) {
    const int64_t first_seen = have_ahead_ ? ahead_pts_ : pts_limit;
    int64_t to = std::min(pts_limit, first_seen) - back;
    if (to <= start_pts_ || attempt == 31) to = start_pts_;
    seek(to);
    advance_to(pts_limit);
    back *= 2;
  }
  // A sample table promising frames the file does not hold (cut after the moov atom) must not turn
  // into "the last frame" silently; a little slack covers container durations that include audio.
  const int64_t slack = std::max<int64_t>(2 * frame_dur_, static_cast<int64_t>(1.0 / tb_));
  if (stream_end_ && have_prev_ && pts_limit > prev_pts_ + slack)
    throw VideoError(in_.path, "the video stream ends at " + std::to_string((prev_pts_ - start_pts_) * tb_) +
                                   " s, before the requested " + std::to_string((pts_limit - start_pts_) * tb_) +
                                   " s (truncated file?)");
  if (have_prev_) {
    *pts_out = prev_pts_;
    return prev_.get();
  }
  if (have_ahead_) {  // the target precedes the first frame
    *pts_out = ahead_pts_;
    return ahead_.get();
  }
  throw VideoError(in_.path, "no decodable video frames");
}

// Output geometry: the size swscale produces and the clockwise rotation applied after it.
struct OutputShape {
  int convert_w = 0, convert_h = 0;  // swscale's output (the stored orientation)
  int rotate_deg = 0;                // 0, 90, 180 or 270
  int width() const { return rotate_deg % 180 == 0 ? convert_w : convert_h; }
  int height() const { return rotate_deg % 180 == 0 ? convert_h : convert_w; }
};

// Shared driver: targets in stream time base, delivered in the caller's order.
VideoFrames decode_targets(ForwardDecoder& dec, std::vector<Target> targets, const OutputShape& shape) {
  VideoFrames out;
  out.width = shape.width();
  out.height = shape.height();
  out.rotation_applied_deg = shape.rotate_deg;
  out.rgb_NHWC.resize(targets.size() * out.frame_bytes());
  out.pts.assign(targets.size(), 0);
  out.pts_s.assign(targets.size(), 0.0);
  std::stable_sort(targets.begin(), targets.end(),
                   [](const Target& a, const Target& b) { return a.pts_limit < b.pts_limit; });
  detail::RgbConverter rgb(dec.path());
  std::vector<uint8_t> unrotated(shape.rotate_deg != 0 ? out.frame_bytes() : 0);
  size_t last_slot = SIZE_MAX;
  for (const Target& t : targets) {
    int64_t pts = 0;
    const AVFrame* f = dec.frame_at(t.pts_limit, &pts);
    uint8_t* dst = out.rgb_NHWC.data() + t.slot * out.frame_bytes();
    if (last_slot != SIZE_MAX && out.pts[last_slot] == pts) {
      std::memcpy(dst, out.frame(last_slot), out.frame_bytes());  // same frame as the previous target
    } else if (shape.rotate_deg == 0) {
      rgb.convert(f, shape.convert_w, shape.convert_h, dst);
    } else {
      rgb.convert(f, shape.convert_w, shape.convert_h, unrotated.data());
      detail::rotate_rgb(unrotated.data(), shape.convert_w, shape.convert_h, shape.rotate_deg, dst);
    }
    out.pts[t.slot] = pts;
    out.pts_s[t.slot] = (pts - dec.start_pts()) * dec.time_base();
    last_slot = t.slot;
  }
  out.frames_decoded = dec.frames_decoded;
  out.seeks = dec.seeks;
  return out;
}

// out_width x out_height (or the native size) describe the delivered frame, i.e. after rotation.
OutputShape output_shape(const detail::VideoInput& in, const VideoInfo& info, const DecodeOptions& opt) {
  if ((opt.out_width > 0) != (opt.out_height > 0) || opt.out_width < 0 || opt.out_height < 0)
    throw VideoError(in.path, "out_width and out_height must both be positive or both 0 (got " +
                                  std::to_string(opt.out_width) + "x" + std::to_string(opt.out_height) + ")");
  OutputShape s;
  if (opt.apply_rotation) {
    if (info.rotation_deg % 90 != 0)
      throw VideoError(in.path, "display rotation of " + std::to_string(info.rotation_deg) +
                                    " degrees is not a multiple of 90; decode without apply_rotation");
    s.rotate_deg = info.rotation_deg;
  }
  const bool swap = s.rotate_deg % 180 != 0;
  const int w = opt.out_width > 0 ? opt.out_width : (swap ? in.stream->codecpar->height : in.stream->codecpar->width);
  const int h = opt.out_height > 0 ? opt.out_height : (swap ? in.stream->codecpar->width : in.stream->codecpar->height);
  s.convert_w = swap ? h : w;
  s.convert_h = swap ? w : h;
  return s;
}

detail::VideoInput open_for_decoding(const std::string& path, const DecodeOptions& opt) {
  return detail::open_video_input(path, /*open_decoder=*/true, detail::DecoderSettings{opt.threads, opt.strict});
}

}  // namespace

std::array<uint8_t, 3> VideoFrames::pixel(size_t i, int x, int y) const {
  if (i >= size() || x < 0 || y < 0 || x >= width || y >= height)
    throw std::out_of_range("VideoFrames::pixel(" + std::to_string(i) + ", " + std::to_string(x) + ", " +
                            std::to_string(y) + ") outside " + std::to_string(size()) + " frames of " +
                            std::to_string(width) + "x" + std::to_string(height));
  const uint8_t* p = frame(i) + (static_cast<size_t>(y) * width + x) * 3;
  return {p[0], p[1], p[2]};
}

VideoFrames decode_frames(const std::string& path, const std::vector<int64_t>& frame_indices,
                          const DecodeOptions& options) {
  detail::VideoInput in = open_for_decoding(path, options);
  const VideoInfo info = detail::describe_video(in);
  for (int64_t i : frame_indices)
    if (i < 0 || i >= info.frame_count)
      throw VideoError(path, "frame index " + std::to_string(i) + " outside [0, " + std::to_string(info.frame_count) +
                                 ")" + (info.frame_count_estimated ? " (frame count estimated)" : ""));
  const OutputShape shape = output_shape(in, info, options);
  ForwardDecoder dec(std::move(in), options);
  // Frame i is displayed from start + i / fps; half a frame of slack absorbs timestamp rounding.
  std::vector<Target> targets(frame_indices.size());
  for (size_t k = 0; k < frame_indices.size(); ++k) {
    const double t = frame_indices[k] / info.fps;
    targets[k] = {dec.start_pts() + std::llround(t / dec.time_base()) + dec.frame_duration() / 2, k};
  }
  return decode_targets(dec, std::move(targets), shape);
}

VideoFrames decode_at_timestamps(const std::string& path, const std::vector<double>& seconds,
                                 const DecodeOptions& options) {
  detail::VideoInput in = open_for_decoding(path, options);
  const VideoInfo info = detail::describe_video(in);
  for (double t : seconds)
    if (!(t >= 0.0 && t <= info.duration_s))  // also rejects NaN
      throw VideoError(path, "timestamp " + std::to_string(t) + " s outside [0, " + std::to_string(info.duration_s) +
                                 "] s");
  const OutputShape shape = output_shape(in, info, options);
  ForwardDecoder dec(std::move(in), options);
  // 1 ms of slack (less than half a frame) so t == a frame's start selects that frame despite rounding.
  const int64_t slack = std::min<int64_t>(std::llround(1e-3 / dec.time_base()), dec.frame_duration() / 2);
  std::vector<Target> targets(seconds.size());
  for (size_t k = 0; k < seconds.size(); ++k)
    targets[k] = {dec.start_pts() + std::llround(seconds[k] / dec.time_base()) + slack, k};
  return decode_targets(dec, std::move(targets), shape);
}

}  // namespace pevlm::video
