#pragma once
// Drawing of the synthetic videos' frames: a solid background from a fixed palette, a large digit on
// the left (5x7 bitmap font, scaled) and a filled shape on the right, both in black or white, whichever
// contrasts with the background. Plain integer rasterisation, no font library.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace pevlm::synthetic {

struct PaletteColour {
  const char* name;  // as used in questions and subtitles ("red")
  std::array<uint8_t, 3> rgb;
};
// Eight well-separated colours (so H.264 at low resolution cannot confuse them).
const std::vector<PaletteColour>& palette();

// Shapes drawn on the right half: circle, square, triangle, diamond, cross.
const std::vector<std::string>& shape_names();

// What one second of a synthetic video shows.
struct SecondContent {
  int colour = 0;  // index into palette()
  int digit = 0;   // 0-9
  int shape = 0;   // index into shape_names()
};

// Black on light backgrounds, white on dark ones.
std::array<uint8_t, 3> foreground_for(int colour);

// Pixel positions the tests read back: a background-only point, and the shape's centre (always inside
// the filled shape, whichever shape it is).
struct ProbePoints {
  int bg_x, bg_y;
  int shape_x, shape_y;
};
ProbePoints probe_points(int width, int height);

// Renders `c` into rgb_HWC (width * height * 3 bytes, resized by the call).
void render_frame(const SecondContent& c, int width, int height, std::vector<uint8_t>& rgb_HWC);

}  // namespace pevlm::synthetic
