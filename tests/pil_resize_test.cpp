// siglip::pil_resize_bicubic against Pillow 13.0 (tests/data/golden/pil_resize, written by
// scripts/golden/make_pil_resize_golden.py): bit-exact on real frame sizes onto both SigLIP families'
// inputs (384, 448; landscape and portrait, i.e. both pass orders), odd sizes (1x1, thin strips,
// near-identity, upscaling, one-axis resizes, the copy case) and ROI boxes, each on a noise and a
// hard-edge image. Then strided / padded buffers and the argument errors. Torch-free.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/safetensors/safetensors.h"
#include "models/siglip/pil_resize.h"
#include "tests/error_test_util.h"

namespace st = pevlm::safetensors;
using pevlm::siglip::MutableRgb8Image;
using pevlm::siglip::pil_resize_bicubic;
using pevlm::siglip::PilBox;
using pevlm::siglip::Rgb8Image;

namespace {

const std::string kGolden = PEVLM_SOURCE_DIR "/tests/data/golden/pil_resize";

// The generator's two patterns (make_pil_resize_golden.py noise / edges), packed [h, w, 3].
std::vector<uint8_t> noise(int64_t h, int64_t w, uint32_t seed) {
  std::vector<uint8_t> out(size_t(h * w * 3));
  for (size_t i = 0; i < out.size(); ++i) {
    uint32_t x = uint32_t(i) * 0x9E3779B1u + seed;
    x ^= x >> 16;
    x *= 0x7FEB352Du;
    x ^= x >> 15;
    x *= 0x846CA68Bu;
    x ^= x >> 16;
    out[i] = uint8_t(x >> 24);
  }
  return out;
}

std::vector<uint8_t> edges(int64_t h, int64_t w) {
  std::vector<uint8_t> out(size_t(h * w * 3));
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x) {
      uint8_t* p = &out[size_t((y * w + x) * 3)];
      p[0] = uint8_t(x * 255 / std::max<int64_t>(w - 1, 1));
      p[1] = uint8_t(y * 255 / std::max<int64_t>(h - 1, 1));
      p[2] = ((x / 7 + y / 5) % 2) ? 255 : 0;
    }
  return out;
}

uint64_t fnv1a64(const uint8_t* p, size_t n, uint64_t h = 0xCBF29CE484222325ull) {
  for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001B3ull;
  return h;
}

std::vector<uint64_t> row_digests(const std::vector<uint8_t>& img, int64_t h, int64_t w) {
  std::vector<uint64_t> out;
  for (int64_t r = 0; r < h; ++r) out.push_back(fnv1a64(&img[size_t(r * w * 3)], size_t(w * 3)));
  return out;
}

// FNV-1a-64 over the little-endian bytes of the row digests (the manifest's input_fnv1a64).
uint64_t image_digest(const std::vector<uint8_t>& img, int64_t h, int64_t w) {
  uint64_t d = 0xCBF29CE484222325ull;
  for (uint64_t r : row_digests(img, h, w)) {
    uint8_t le[8];
    for (int b = 0; b < 8; ++b) le[b] = uint8_t(r >> (8 * b));
    d = fnv1a64(le, 8, d);
  }
  return d;
}

std::string hex(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

const nlohmann::json& manifest() {
  static const nlohmann::json m = nlohmann::json::parse(std::ifstream(kGolden + "/manifest.json"));
  return m;
}

std::vector<uint8_t> resize(const std::vector<uint8_t>& src, int64_t h, int64_t w, int64_t oh, int64_t ow,
                            const std::optional<PilBox>& box = std::nullopt) {
  std::vector<uint8_t> out(size_t(oh * ow * 3));
  pil_resize_bicubic({src.data(), h, w, w * 3}, {out.data(), oh, ow, ow * 3}, box);
  return out;
}

TEST(PilResize, BitExactAgainstPillowOnEveryGoldenCase) {
  const st::SafetensorsFile golden = st::SafetensorsFile::open(kGolden + "/golden.safetensors");
  std::map<std::string, int> orders;
  int64_t values = 0;
  for (const auto& c : manifest()["cases"]) {
    const std::string name = c["name"];
    SCOPED_TRACE(name);
    const int64_t h = c["src_hw"][0], w = c["src_hw"][1], oh = c["dst_hw"][0], ow = c["dst_hw"][1];
    const std::vector<uint8_t> src = c["pattern"] == "noise" ? noise(h, w, c["seed"].get<uint32_t>()) : edges(h, w);
    ASSERT_EQ(hex(image_digest(src, h, w)), c["input_fnv1a64"].get<std::string>()) << "the input generator drifted";
    std::optional<PilBox> box;
    if (!c["box"].is_null()) box = PilBox{c["box"][0], c["box"][1], c["box"][2], c["box"][3]};
    const std::vector<uint8_t> got = resize(src, h, w, oh, ow, box);
    values += int64_t(got.size());
    ++orders[c["pass_order"].get<std::string>()];
    if (golden.has(name + ".output")) {
      const st::TensorView& want = golden.get(name + ".output");
      ASSERT_EQ(want.shape, (std::vector<int64_t>{oh, ow, 3}));
      int64_t differ = 0;
      for (size_t i = 0; i < got.size(); ++i) differ += got[i] != uint8_t(want.data[i]);
      EXPECT_EQ(differ, 0) << differ << " of " << got.size() << " values differ from Pillow";
    } else {
      const st::TensorView& want = golden.get(name + ".row_fnv1a64");
      ASSERT_EQ(want.shape, (std::vector<int64_t>{oh}));
      const std::vector<uint64_t> rows = row_digests(got, oh, ow);
      int64_t differ = 0;
      for (int64_t r = 0; r < oh; ++r) {
        uint64_t w64;
        std::memcpy(&w64, want.data + r * 8, 8);
        differ += rows[size_t(r)] != w64;
      }
      EXPECT_EQ(differ, 0) << differ << " of " << oh << " output rows differ from Pillow";
    }
  }
  // The fixture exercises both pass orders and the copy shortcut.
  EXPECT_GE(orders["horizontal_first"], 20);
  EXPECT_GE(orders["vertical_first"], 6);
  EXPECT_GE(orders["copy"], 4);
  std::cout << "[pil_resize] " << manifest()["cases"].size() << " cases, " << values
            << " output values, Pillow " << manifest()["pillow_version"].get<std::string>() << "\n";
}

// Rows `stride` bytes apart inside a larger buffer (padding, or a crop of a bigger frame) read the
// same pixels; the destination's padding bytes are left alone.
TEST(PilResize, PaddedAndCroppedRowsMatchPackedRows) {
  const int64_t h = 97, w = 131;
  const std::vector<uint8_t> packed = noise(h, w, 7);
  for (const auto& [oh, ow] : std::vector<std::pair<int64_t, int64_t>>{{48, 40}, {20, 120}, {200, 64}, {97, 131}}) {
    SCOPED_TRACE(std::to_string(oh) + "x" + std::to_string(ow));
    const std::vector<uint8_t> want = resize(packed, h, w, oh, ow);
    // Source: the image at (row 5, column 9) of a 120 x 160 frame.
    const int64_t big_w = 160, top = 5, left = 9, src_stride = big_w * 3;
    std::vector<uint8_t> big = edges(120, big_w);
    for (int64_t r = 0; r < h; ++r)
      std::memcpy(&big[size_t((top + r) * src_stride + left * 3)], &packed[size_t(r * w * 3)], size_t(w * 3));
    const int64_t dst_stride = ow * 3 + 11;
    std::vector<uint8_t> out(size_t(oh * dst_stride), 0xAB);
    pil_resize_bicubic({&big[size_t(top * src_stride + left * 3)], h, w, src_stride}, {out.data(), oh, ow, dst_stride});
    for (int64_t r = 0; r < oh; ++r) {
      ASSERT_EQ(std::memcmp(&out[size_t(r * dst_stride)], &want[size_t(r * ow * 3)], size_t(ow * 3)), 0) << "row " << r;
      for (int64_t p = ow * 3; p < dst_stride; ++p) ASSERT_EQ(out[size_t(r * dst_stride + p)], 0xAB) << "padding of row " << r;
    }
  }
}

TEST(PilResize, ArgumentErrorsSayWhatWasExpected) {
  std::vector<uint8_t> px(64 * 3), out(64 * 3);
  const Rgb8Image src{px.data(), 8, 8, 24};
  const MutableRgb8Image dst{out.data(), 4, 4, 12};
  using pevlm::testing::expect_error;
  expect_error([&] { pil_resize_bicubic({nullptr, 8, 8, 24}, dst); }, {"source", "null data"});
  expect_error([&] { pil_resize_bicubic(src, {out.data(), 0, 4, 12}); }, {"destination", "size must be 1..", "4x0"});
  expect_error([&] { pil_resize_bicubic({px.data(), 8, 8, 23}, dst); }, {"source", "row stride 23", "3 * width = 24"});
  expect_error([&] { pil_resize_bicubic(src, dst, PilBox{-1, 0, 8, 8}); }, {"box offset can't be negative"});
  expect_error([&] { pil_resize_bicubic(src, dst, PilBox{0, 0, 8.5f, 8}); }, {"box can't exceed original image size", "8x8 source"});
  expect_error([&] { pil_resize_bicubic(src, dst, PilBox{4, 0, 3, 8}); }, {"box can't be empty"});
}

}  // namespace
