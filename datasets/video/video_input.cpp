#include "datasets/video/video_input.h"

#include "datasets/video/video_error.h"

#include <filesystem>
#include <system_error>

namespace pevlm::video::detail {
namespace {

// Cheap checks before FFmpeg sees the file, so the common mistakes get precise messages.
void check_file(const std::string& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) throw VideoError(path, "file does not exist");
  if (!std::filesystem::is_regular_file(status)) throw VideoError(path, "not a regular file");
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) throw VideoError(path, "cannot read the file size: " + ec.message());
  if (size == 0) throw VideoError(path, "file is empty (0 bytes)");
}

// The first video stream that is real video (not an audio file's cover art) with known dimensions.
int find_video_stream(const AVFormatContext* format) {
  for (unsigned i = 0; i < format->nb_streams; ++i) {
    const AVStream* st = format->streams[i];
    if (st->codecpar->codec_type != AVMEDIA_TYPE_VIDEO) continue;
    if (st->disposition & AV_DISPOSITION_ATTACHED_PIC) continue;
    if (st->codecpar->width <= 0 || st->codecpar->height <= 0) continue;
    return static_cast<int>(i);
  }
  return -1;
}

CodecCtxPtr open_decoder(const VideoInput& in, const DecoderSettings& settings) {
  const AVCodecParameters* par = in.stream->codecpar;
  const AVCodec* codec = avcodec_find_decoder(par->codec_id);
  if (codec == nullptr)
    throw VideoError(in.path, std::string("no decoder for codec '") + avcodec_get_name(par->codec_id) + "'");
  CodecCtxPtr ctx(avcodec_alloc_context3(codec));
  if (!ctx) throw std::bad_alloc();
  int r = avcodec_parameters_to_context(ctx.get(), par);
  if (r < 0) throw VideoError(in.path, "bad codec parameters: " + av_error_text(r));
  ctx->pkt_timebase = in.stream->time_base;
  ctx->thread_count = settings.threads;
  ctx->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
  if (settings.strict) ctx->err_recognition |= AV_EF_EXPLODE;
  r = avcodec_open2(ctx.get(), codec, nullptr);
  if (r < 0) throw VideoError(in.path, std::string("cannot open the ") + codec->name + " decoder: " + av_error_text(r));
  return ctx;
}

}  // namespace

std::string describe_streams(const AVFormatContext* format) {
  std::string out;
  for (unsigned i = 0; i < format->nb_streams; ++i) {
    const AVStream* st = format->streams[i];
    const char* type = av_get_media_type_string(st->codecpar->codec_type);
    if (!out.empty()) out += ", ";
    out += type != nullptr ? type : "unknown";
    if (st->disposition & AV_DISPOSITION_ATTACHED_PIC) out += " (cover art)";
  }
  return out.empty() ? "none" : out;
}

VideoInput open_video_input(const std::string& path, bool open_decoder_too, const DecoderSettings& settings) {
  quiet_ffmpeg_logging();
  check_file(path);
  take_last_ffmpeg_error();  // forget messages from earlier files
  VideoInput in;
  in.path = path;
  AVFormatContext* raw = nullptr;
  int r = avformat_open_input(&raw, path.c_str(), nullptr, nullptr);
  if (r < 0) throw VideoError(path, "cannot open as a media container: " + av_error_with_log(r));
  in.format.reset(raw);
  r = avformat_find_stream_info(in.format.get(), nullptr);
  if (r < 0) throw VideoError(path, "cannot read stream information: " + av_error_with_log(r));
  in.stream_index = find_video_stream(in.format.get());
  if (in.stream_index < 0)
    throw VideoError(path, "no video stream (streams: " + describe_streams(in.format.get()) + ")");
  in.stream = in.format->streams[in.stream_index];
  // Only the video stream's packets are wanted: let the demuxer drop the rest early.
  for (unsigned i = 0; i < in.format->nb_streams; ++i)
    if (static_cast<int>(i) != in.stream_index) in.format->streams[i]->discard = AVDISCARD_ALL;
  if (open_decoder_too) in.decoder = open_decoder(in, settings);
  return in;
}

}  // namespace pevlm::video::detail
