// RgbConverter (swscale into a padded frame, stride-aware copy out) and display rotation.
// See rgb_converter.h for why swscale never writes into the caller's buffer.
#include "datasets/video/rgb_converter.h"

#include "datasets/video/video_error.h"

extern "C" {
#include <libavutil/display.h>
#include <libavutil/pixdesc.h>
}

#include <cmath>
#include <cstring>
#include <stdexcept>

namespace pevlm::video::detail {

RgbConverter::RgbConverter(std::string path) : path_(std::move(path)), scratch_(make_frame()) {}

RgbConverter::~RgbConverter() { sws_freeContext(sws_); }

void RgbConverter::ensure_scratch(int w, int h) {
  if (scratch_->width == w && scratch_->height == h && scratch_->data[0] != nullptr) return;
  const int r = alloc_frame_buffer(scratch_.get(), AV_PIX_FMT_RGB24, w, h);
  if (r < 0)
    throw VideoError(path_, "cannot allocate a " + std::to_string(w) + "x" + std::to_string(h) +
                                " RGB frame: " + av_error_text(r));
}

void RgbConverter::convert(const AVFrame* f, int out_w, int out_h, uint8_t* dst) {
  const auto fmt = static_cast<AVPixelFormat>(f->format);
  auto fail = [&](const std::string& what) {
    const char* name = av_get_pix_fmt_name(fmt);
    throw VideoError(path_, what + " (pixel format " + (name != nullptr ? name : "?") + ", " +
                                std::to_string(f->width) + "x" + std::to_string(f->height) + ")");
  };
  if (f->width <= 0 || f->height <= 0 || f->data[0] == nullptr) fail("the decoder returned an empty frame");
  SwsContext* ctx = sws_getCachedContext(sws_, f->width, f->height, fmt, out_w, out_h, AV_PIX_FMT_RGB24,
                                         SWS_BILINEAR, nullptr, nullptr, nullptr);
  if (ctx == nullptr) fail("swscale cannot convert this pixel format to RGB24");
  sws_ = ctx;
  const int cs = f->colorspace == AVCOL_SPC_UNSPECIFIED ? SWS_CS_DEFAULT : static_cast<int>(f->colorspace);
  const int src_full = f->color_range == AVCOL_RANGE_JPEG ? 1 : 0;
  // Rebuilding the YUV->RGB tables costs about as much as converting a frame: only on change.
  if (f->width != src_w_ || f->height != src_h_ || f->format != src_fmt_ || out_w != dst_w_ || out_h != dst_h_ ||
      cs != cs_ || src_full != src_full_) {
    sws_setColorspaceDetails(ctx, sws_getCoefficients(cs), src_full, sws_getCoefficients(SWS_CS_DEFAULT), 1, 0,
                             1 << 16, 1 << 16);
    src_w_ = f->width, src_h_ = f->height, src_fmt_ = f->format, dst_w_ = out_w, dst_h_ = out_h;
    cs_ = cs, src_full_ = src_full;
  }
  ensure_scratch(out_w, out_h);
  const int rows = sws_scale(ctx, f->data, f->linesize, 0, f->height, scratch_->data, scratch_->linesize);
  if (rows != out_h) fail("swscale produced " + std::to_string(rows) + " of " + std::to_string(out_h) + " rows");
  const size_t row_bytes = static_cast<size_t>(out_w) * 3;
  for (int y = 0; y < out_h; ++y)
    std::memcpy(dst + y * row_bytes, scratch_->data[0] + static_cast<ptrdiff_t>(y) * scratch_->linesize[0], row_bytes);
}

int display_rotation_degrees(const AVStream* stream) {
  const auto* matrix = reinterpret_cast<const int32_t*>(
      av_stream_get_side_data(stream, AV_PKT_DATA_DISPLAYMATRIX, nullptr));
  if (matrix == nullptr) return 0;
  const double ccw = av_display_rotation_get(matrix);
  if (std::isnan(ccw)) return 0;  // a degenerate matrix: nothing a player could apply either
  double theta = -std::round(ccw);
  theta -= 360 * std::floor(theta / 360 + 0.9 / 360);  // fftools/cmdutils.c get_rotation
  return static_cast<int>(theta) % 360;
}

void rotate_rgb(const uint8_t* src, int w, int h, int deg, uint8_t* dst) {
  if (deg != 90 && deg != 180 && deg != 270)
    throw std::invalid_argument("rotate_rgb: " + std::to_string(deg) + " degrees (expected 90, 180 or 270)");
  const int out_w = deg == 180 ? w : h;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      int ox = 0, oy = 0;
      if (deg == 90) ox = h - 1 - y, oy = x;            // transpose=clock
      else if (deg == 270) ox = y, oy = w - 1 - x;      // transpose=cclock
      else ox = w - 1 - x, oy = h - 1 - y;              // hflip,vflip
      std::memcpy(dst + (static_cast<size_t>(oy) * out_w + ox) * 3, src + (static_cast<size_t>(y) * w + x) * 3, 3);
    }
  }
}

}  // namespace pevlm::video::detail
