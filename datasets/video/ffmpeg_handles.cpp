#include "datasets/video/ffmpeg_handles.h"

extern "C" {
#include <libavutil/log.h>
}

#include <cstdarg>
#include <cstdlib>
#include <mutex>
#include <new>

namespace pevlm::video::detail {

void OutputCloser::operator()(AVFormatContext* c) const {
  if (c == nullptr) return;
  if (c->pb != nullptr && !(c->oformat->flags & AVFMT_NOFILE)) avio_closep(&c->pb);
  avformat_free_context(c);
}

FramePtr make_frame() {
  AVFrame* f = av_frame_alloc();
  if (f == nullptr) throw std::bad_alloc();
  return FramePtr(f);
}

int alloc_frame_buffer(AVFrame* f, AVPixelFormat fmt, int w, int h) {
  av_frame_unref(f);
  f->format = fmt;
  f->width = w;
  f->height = h;
  return av_frame_get_buffer(f, 0);  // 0: alignment chosen for this CPU
}

PacketPtr make_packet() {
  AVPacket* p = av_packet_alloc();
  if (p == nullptr) throw std::bad_alloc();
  return PacketPtr(p);
}

std::string av_error_text(int errnum) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {0};
  av_strerror(errnum, buf, sizeof(buf));
  return std::string(buf);
}

namespace {

std::mutex g_log_mu;
std::string g_last_error;  // guarded by g_log_mu; decoder threads log too
int g_print_level = AV_LOG_FATAL;

void log_callback(void* avcl, int level, const char* fmt, va_list args) {
  if (level <= AV_LOG_ERROR) {
    va_list copy;
    va_copy(copy, args);
    char line[512];
    int print_prefix = 0;  // no "[h264 @ 0x55...]": the component name alone is prefixed below
    av_log_format_line2(avcl, level, fmt, copy, line, sizeof(line), &print_prefix);
    va_end(copy);
    const AVClass* cls = avcl != nullptr ? *static_cast<AVClass**>(avcl) : nullptr;
    std::string text = cls != nullptr ? std::string(cls->item_name(avcl)) + ": " + line : std::string(line);
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    std::lock_guard<std::mutex> lock(g_log_mu);
    g_last_error = text;
  }
  if (level <= g_print_level) av_log_default_callback(avcl, level, fmt, args);
}

}  // namespace

void quiet_ffmpeg_logging() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (const char* env = std::getenv("PEVLM_FFMPEG_LOG")) g_print_level = std::atoi(env);
    av_log_set_callback(log_callback);
  });
}

std::string av_error_with_log(int errnum) {
  const std::string log = take_last_ffmpeg_error();
  return av_error_text(errnum) + (log.empty() ? std::string() : "; FFmpeg log: " + log);
}

std::string take_last_ffmpeg_error() {
  std::lock_guard<std::mutex> lock(g_log_mu);
  std::string out;
  out.swap(g_last_error);
  return out;
}

}  // namespace pevlm::video::detail
