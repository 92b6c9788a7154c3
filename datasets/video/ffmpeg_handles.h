#pragma once
// RAII owners for FFmpeg C objects and small helpers shared by the reader and the writer.
// Internal to datasets/video (the public headers expose no FFmpeg types).
extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/frame.h>
#include <libswscale/swscale.h>
}

#include <memory>
#include <string>

namespace pevlm::video::detail {

struct InputCloser { void operator()(AVFormatContext* c) const { avformat_close_input(&c); } };
struct OutputCloser { void operator()(AVFormatContext* c) const; };
struct CodecCtxFree { void operator()(AVCodecContext* c) const { avcodec_free_context(&c); } };
struct FrameFree { void operator()(AVFrame* f) const { av_frame_free(&f); } };
struct PacketFree { void operator()(AVPacket* p) const { av_packet_free(&p); } };
struct SwsFree { void operator()(SwsContext* s) const { sws_freeContext(s); } };

using InputPtr = std::unique_ptr<AVFormatContext, InputCloser>;
using OutputPtr = std::unique_ptr<AVFormatContext, OutputCloser>;
using CodecCtxPtr = std::unique_ptr<AVCodecContext, CodecCtxFree>;
using FramePtr = std::unique_ptr<AVFrame, FrameFree>;
using PacketPtr = std::unique_ptr<AVPacket, PacketFree>;
using SwsPtr = std::unique_ptr<SwsContext, SwsFree>;

// av_frame_alloc / av_packet_alloc that throw std::bad_alloc instead of returning null.
FramePtr make_frame();

// Gives `f` a fmt, w x h picture buffer from av_frame_get_buffer (rows aligned for the CPU's widest
// vector, the buffer padded): what swscale may be handed safely. Returns av_frame_get_buffer's code.
int alloc_frame_buffer(AVFrame* f, AVPixelFormat fmt, int w, int h);
PacketPtr make_packet();

// Human-readable text for an AVERROR code ("Invalid data found when processing input").
std::string av_error_text(int errnum);

// av_error_text plus the last FFmpeg error log line, if any ("...; FFmpeg log: moov atom not found").
std::string av_error_with_log(int errnum);

// FFmpeg logs every damaged NAL unit and x264 statistics; the harness reports errors through
// exceptions instead. Installs (once) a log callback that keeps the last error-level line for
// exception messages and prints only what passes PEVLM_FFMPEG_LOG (an av_log level number,
// default AV_LOG_FATAL = 8; e.g. 16 shows errors, 32 everything informative).
void quiet_ffmpeg_logging();

// The most recent error-level FFmpeg log line of this process (any thread), then forgets it;
// "" if none. Appended to VideoError messages as a hint ("Invalid NAL unit size ...").
std::string take_last_ffmpeg_error();

}  // namespace pevlm::video::detail
