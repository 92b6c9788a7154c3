// VideoWriter: RGB24 -> YUV 4:2:0 (swscale, BT.601 limited range, tagged in the stream so readers use
// the same matrix) -> libx264 / mpeg4 -> mp4 muxer. Follows FFmpeg's doc/examples/encode_video.c and
// mux.c (send_frame / receive_packet loop, av_packet_rescale_ts, av_interleaved_write_frame).
#include "datasets/video/video_writer.h"

#include "datasets/video/ffmpeg_handles.h"

extern "C" {
#include <libavutil/opt.h>
}

#include <cstring>

namespace pevlm::video {

using namespace detail;

struct VideoWriter::Impl {
  std::string path;
  VideoWriterOptions opt;
  OutputPtr format;
  CodecCtxPtr enc;
  AVStream* stream = nullptr;
  SwsPtr sws;
  FramePtr rgb;  // padded copy of the caller's packed rows: swscale's SIMD input loads may read past a row end
  FramePtr yuv;
  PacketPtr pkt;
  std::string codec;
  int64_t next_pts = 0;
  bool finished = false;

  void fail(const std::string& what, int err) const {
    throw VideoError(path, what + (err < 0 ? ": " + av_error_text(err) : std::string()));
  }
  void drain(bool flushing);
};

std::string default_video_encoder() {
  return avcodec_find_encoder_by_name("libx264") != nullptr ? "libx264" : "mpeg4";
}

namespace {

void check_options(const std::string& path, const VideoWriterOptions& o) {
  if (o.width <= 0 || o.height <= 0 || o.width % 2 != 0 || o.height % 2 != 0)
    throw VideoError(path, "frame size must be positive and even for 4:2:0 video (got " + std::to_string(o.width) +
                               "x" + std::to_string(o.height) + ")");
  if (!(o.fps > 0 && o.fps <= 1000)) throw VideoError(path, "fps must be in (0, 1000] (got " + std::to_string(o.fps) + ")");
  if (o.gop <= 0) throw VideoError(path, "gop must be positive (got " + std::to_string(o.gop) + ")");
  if (o.codec != "auto" && o.codec != "libx264" && o.codec != "mpeg4")
    throw VideoError(path, "codec must be auto, libx264 or mpeg4 (got '" + o.codec + "')");
}

// Encoder settings; time base = 1/fps so every frame's pts is its index.
void configure_encoder(AVCodecContext* c, const VideoWriterOptions& o, AVRational rate, bool global_header) {
  c->width = o.width;
  c->height = o.height;
  c->time_base = av_inv_q(rate);
  c->framerate = rate;
  c->gop_size = o.gop;
  c->max_b_frames = o.max_b_frames;
  c->pix_fmt = AV_PIX_FMT_YUV420P;
  c->thread_count = o.threads;
  c->colorspace = AVCOL_SPC_SMPTE170M;  // BT.601, matching swscale's default RGB->YUV matrix below
  c->color_primaries = AVCOL_PRI_SMPTE170M;
  c->color_trc = AVCOL_TRC_SMPTE170M;
  c->color_range = AVCOL_RANGE_MPEG;
  c->flags |= AV_CODEC_FLAG_BITEXACT;  // no encoder version strings: same bytes on every run
  if (global_header) c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
}

}  // namespace

VideoWriter::VideoWriter(const std::string& path, const VideoWriterOptions& options) : impl_(new Impl) {
  quiet_ffmpeg_logging();
  Impl& m = *impl_;
  m.path = path;
  m.opt = options;
  check_options(path, options);
  m.codec = options.codec == "auto" ? default_video_encoder() : options.codec;
  const AVCodec* codec = avcodec_find_encoder_by_name(m.codec.c_str());
  if (codec == nullptr) throw VideoError(path, "encoder '" + m.codec + "' is not available in this FFmpeg build");

  AVFormatContext* raw = nullptr;
  int r = avformat_alloc_output_context2(&raw, nullptr, "mp4", path.c_str());
  if (r < 0 || raw == nullptr) m.fail("cannot create an mp4 muxer", r);
  m.format.reset(raw);
  m.format->flags |= AVFMT_FLAG_BITEXACT;
  m.stream = avformat_new_stream(m.format.get(), nullptr);
  if (m.stream == nullptr) throw std::bad_alloc();
  m.enc.reset(avcodec_alloc_context3(codec));
  if (!m.enc) throw std::bad_alloc();

  const AVRational rate = av_d2q(options.fps, 100000);
  configure_encoder(m.enc.get(), options, rate, m.format->oformat->flags & AVFMT_GLOBALHEADER);
  if (m.codec == "libx264") {
    // ultrafast keeps the synthetic dataset quick to write; max_b_frames (applied after the preset by
    // FFmpeg's libx264 wrapper) still puts B-frames in the stream.
    av_opt_set(m.enc->priv_data, "preset", "ultrafast", 0);
    av_opt_set(m.enc->priv_data, "crf", std::to_string(options.quality).c_str(), 0);
    av_opt_set(m.enc->priv_data, "x264-params", "scenecut=0", 0);  // keyframes exactly every `gop` frames
  } else {
    m.enc->flags |= AV_CODEC_FLAG_QSCALE;
    m.enc->global_quality = FF_QP2LAMBDA * std::max(2, options.quality / 5);
  }
  r = avcodec_open2(m.enc.get(), codec, nullptr);
  if (r < 0) m.fail("cannot open the " + m.codec + " encoder", r);
  r = avcodec_parameters_from_context(m.stream->codecpar, m.enc.get());
  if (r < 0) m.fail("cannot copy encoder parameters", r);
  m.stream->time_base = m.enc->time_base;
  m.stream->avg_frame_rate = rate;

  r = avio_open(&m.format->pb, path.c_str(), AVIO_FLAG_WRITE);
  if (r < 0) m.fail("cannot open the file for writing", r);
  r = avformat_write_header(m.format.get(), nullptr);
  if (r < 0) m.fail("cannot write the mp4 header", r);

  m.sws.reset(sws_getContext(options.width, options.height, AV_PIX_FMT_RGB24, options.width, options.height,
                             AV_PIX_FMT_YUV420P, SWS_BILINEAR, nullptr, nullptr, nullptr));
  if (!m.sws) throw VideoError(path, "swscale cannot convert RGB24 to YUV420P");
  m.rgb = make_frame();
  m.yuv = make_frame();
  if ((r = alloc_frame_buffer(m.rgb.get(), AV_PIX_FMT_RGB24, options.width, options.height)) < 0 ||
      (r = alloc_frame_buffer(m.yuv.get(), AV_PIX_FMT_YUV420P, options.width, options.height)) < 0)
    m.fail("cannot allocate a frame", r);
  m.pkt = make_packet();
}

VideoWriter::~VideoWriter() {
  try {
    finish();
  } catch (...) {
    // Destructors must not throw; callers who care call finish() themselves.
  }
}

// Moves every packet the encoder has ready into the muxer.
void VideoWriter::Impl::drain(bool flushing) {
  for (;;) {
    int r = avcodec_receive_packet(enc.get(), pkt.get());
    if (r == AVERROR(EAGAIN) || r == AVERROR_EOF) return;
    if (r < 0) fail("encoding failed", r);
    av_packet_rescale_ts(pkt.get(), enc->time_base, stream->time_base);
    pkt->stream_index = stream->index;
    r = av_interleaved_write_frame(format.get(), pkt.get());
    if (r < 0) fail(flushing ? "writing the last packets failed" : "writing a packet failed", r);
  }
}

void VideoWriter::write_rgb(const uint8_t* rgb_HWC) {
  Impl& m = *impl_;
  if (m.finished) throw VideoError(m.path, "write_rgb after finish()");
  int r = av_frame_make_writable(m.yuv.get());
  if (r < 0) m.fail("cannot make the frame writable", r);
  // The caller's buffer is exactly height x width x 3 bytes; swscale reads from the padded, aligned copy
  // (rgb_converter.h explains the overrun this avoids on the output side; inputs are loaded the same way).
  const size_t row = static_cast<size_t>(m.opt.width) * 3;
  for (int y = 0; y < m.opt.height; ++y)
    std::memcpy(m.rgb->data[0] + static_cast<ptrdiff_t>(y) * m.rgb->linesize[0], rgb_HWC + y * row, row);
  sws_scale(m.sws.get(), m.rgb->data, m.rgb->linesize, 0, m.opt.height, m.yuv->data, m.yuv->linesize);
  m.yuv->pts = m.next_pts++;
  r = avcodec_send_frame(m.enc.get(), m.yuv.get());
  if (r < 0) m.fail("encoder rejected frame " + std::to_string(m.yuv->pts), r);
  m.drain(false);
}

void VideoWriter::finish() {
  Impl& m = *impl_;
  if (m.finished) return;
  m.finished = true;
  int r = avcodec_send_frame(m.enc.get(), nullptr);
  if (r < 0 && r != AVERROR_EOF) m.fail("flushing the encoder failed", r);
  m.drain(true);
  r = av_write_trailer(m.format.get());
  if (r < 0) m.fail("cannot write the mp4 trailer", r);
  m.format.reset();  // closes the file
}

const std::string& VideoWriter::codec_name() const { return impl_->codec; }
int64_t VideoWriter::frames_written() const { return impl_->next_pts; }

}  // namespace pevlm::video
