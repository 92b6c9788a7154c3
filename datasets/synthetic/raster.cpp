#include "datasets/synthetic/raster.h"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

namespace pevlm::synthetic {
namespace {

// 5x7 digit font, one string per row, '#' = ink (the classic HD44780 LCD character shapes).
constexpr const char* kDigits[10][7] = {
    {".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."},
    {"..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."},
    {".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"},
    {"#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."},
    {"...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."},
    {"#####", "#....", "####.", "....#", "....#", "#...#", ".###."},
    {"..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."},
    {"#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."},
    {".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."},
    {".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."},
};

// Is (x, y) inside `shape` drawn in the square box centred at (cx, cy) with half-size r?
bool inside_shape(int shape, int x, int y, int cx, int cy, int r) {
  const int dx = x - cx, dy = y - cy;
  switch (shape) {
    case 0: return dx * dx + dy * dy <= r * r;                                   // circle
    case 1: return std::abs(dx) <= r * 4 / 5 && std::abs(dy) <= r * 4 / 5;       // square
    case 2:  // triangle, apex up at cy - r, base at cy + 3r/4 with half-width ~r
      return dy >= -r && dy <= r * 3 / 4 && std::abs(dx) <= (dy + r) * 4 / 7;
    case 3: return std::abs(dx) + std::abs(dy) <= r;                             // diamond
    case 4: return (std::abs(dx) <= r / 4 && std::abs(dy) <= r) || (std::abs(dy) <= r / 4 && std::abs(dx) <= r);  // cross
    default: throw std::invalid_argument("render_frame: unknown shape index " + std::to_string(shape));
  }
}

}  // namespace

const std::vector<PaletteColour>& palette() {
  static const std::vector<PaletteColour> p = {
      {"red", {220, 30, 30}},    {"green", {30, 170, 60}},   {"blue", {30, 60, 220}},  {"yellow", {240, 220, 40}},
      {"purple", {130, 40, 170}}, {"orange", {245, 140, 20}}, {"gray", {128, 128, 128}}, {"cyan", {40, 200, 220}},
  };
  return p;
}

const std::vector<std::string>& shape_names() {
  static const std::vector<std::string> s = {"circle", "square", "triangle", "diamond", "cross"};
  return s;
}

std::array<uint8_t, 3> foreground_for(int colour) {
  const auto& c = palette().at(colour).rgb;
  const int luma = (299 * c[0] + 587 * c[1] + 114 * c[2]) / 1000;  // BT.601 luma
  return luma > 140 ? std::array<uint8_t, 3>{0, 0, 0} : std::array<uint8_t, 3>{255, 255, 255};
}

ProbePoints probe_points(int width, int height) {
  return {width / 16, height / 10, width * 3 / 4, height / 2};
}

void render_frame(const SecondContent& c, int width, int height, std::vector<uint8_t>& rgb_HWC) {
  if (c.digit < 0 || c.digit > 9) throw std::invalid_argument("render_frame: digit " + std::to_string(c.digit));
  const auto bg = palette().at(c.colour).rgb;
  const auto fg = foreground_for(c.colour);
  rgb_HWC.resize(static_cast<size_t>(width) * height * 3);
  auto put = [&](int x, int y, const std::array<uint8_t, 3>& col) {
    uint8_t* p = rgb_HWC.data() + (static_cast<size_t>(y) * width + x) * 3;
    p[0] = col[0], p[1] = col[1], p[2] = col[2];
  };
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) put(x, y, bg);
  // Digit: 5x7 cells scaled to ~60% of the height, centred in the left half.
  const int cell = std::max(1, height * 6 / 10 / 7);
  const int x0 = width / 4 - 5 * cell / 2, y0 = height / 2 - 7 * cell / 2;
  for (int row = 0; row < 7; ++row)
    for (int col = 0; col < 5; ++col)
      if (kDigits[c.digit][row][col] == '#')
        for (int y = y0 + row * cell; y < y0 + (row + 1) * cell; ++y)
          for (int x = x0 + col * cell; x < x0 + (col + 1) * cell; ++x) put(x, y, fg);
  // Shape: centred in the right half, radius ~30% of the height.
  const ProbePoints pp = probe_points(width, height);
  const int r = std::max(2, height * 3 / 10);
  for (int y = std::max(0, pp.shape_y - r); y <= std::min(height - 1, pp.shape_y + r); ++y)
    for (int x = std::max(0, pp.shape_x - r); x <= std::min(width - 1, pp.shape_x + r); ++x)
      if (inside_shape(c.shape, x, y, pp.shape_x, pp.shape_y, r)) put(x, y, fg);
}

}  // namespace pevlm::synthetic
