#pragma once
// Decoded AVFrame -> tightly packed RGB24 [H, W, 3] bytes (swscale), and the display rotation of
// such frames. Internal to datasets/video.
#include "datasets/video/ffmpeg_handles.h"

#include <cstdint>
#include <string>
#include <vector>

namespace pevlm::video::detail {

// RGB24 conversion with the colour matrix and range the stream declares (BT.601 when unspecified),
// like the `ffmpeg` CLI's scale filter with its default in_color_matrix=auto; bilinear when resizing.
//
// swscale writes through its destination pointers with SIMD stores of whole vectors: a row whose byte
// width is not a multiple of the vector size (426 * 3 = 1278 bytes) is overrun at its end, and for
// the last row that is past the caller's buffer (issue 9: heap corruption on 426x240 videos). So
// swscale only ever writes into an AVFrame allocated by av_frame_get_buffer (rows aligned to the
// CPU's widest vector, the buffer padded as FFmpeg's own filters use), and rows are copied out
// stride-aware into the packed output. The source is always a decoder-owned (padded) AVFrame.
class RgbConverter {
 public:
  explicit RgbConverter(std::string path);
  ~RgbConverter();
  RgbConverter(const RgbConverter&) = delete;
  RgbConverter& operator=(const RgbConverter&) = delete;

  // Writes out_h rows of out_w * 3 bytes to dst (exactly out_w * out_h * 3 bytes are touched).
  // Throws VideoError naming the file and pixel format when swscale cannot convert.
  void convert(const AVFrame* f, int out_w, int out_h, uint8_t* dst);

 private:
  void ensure_scratch(int w, int h);

  std::string path_;
  FramePtr scratch_;
  SwsContext* sws_ = nullptr;
  // What the context and its colour tables were set up for (sws_getCachedContext may hand back a
  // new context at the old address, so the pointer alone cannot tell).
  int src_w_ = -1, src_h_ = -1, src_fmt_ = -1, dst_w_ = -1, dst_h_ = -1, cs_ = -1, src_full_ = -1;
};

// Clockwise rotation in degrees (0, 90, 180, 270) that the stream's display matrix asks players to
// apply, as the `ffmpeg` CLI's autorotate computes it (fftools get_rotation: -av_display_rotation_get,
// normalised to [0, 360)); 0 without a matrix. Angles that are not multiples of 90 are returned
// rounded to the nearest degree (callers decide whether they can apply them).
int display_rotation_degrees(const AVStream* stream);

// Rotates a packed RGB24 image clockwise by deg (90, 180 or 270) into dst; for 90 and 270 the output
// is h x w (width and height swap), like ffmpeg's transpose=clock / cclock and hflip,vflip.
void rotate_rgb(const uint8_t* src, int w, int h, int deg, uint8_t* dst);

}  // namespace pevlm::video::detail
