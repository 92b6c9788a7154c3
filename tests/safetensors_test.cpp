// safetensors file reader/writer: round trip of every dtype, the reference byte layout, each
// header validation error on a file corrupted here, and the golden tiny Qwen2.5-VL files
// written by transformers 4.50 (../shared/golden/qwen2_5_vl_tiny, README.md there).
#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "models/safetensors/safetensors.h"
#include "tests/error_test_util.h"

namespace st = pevlm::safetensors;
namespace fs = std::filesystem;

namespace {

fs::path temp_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("pevlm_safetensors_test_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::vector<std::byte> bytes_of(const void* p, std::size_t n) {
  std::vector<std::byte> out(n);
  std::memcpy(out.data(), p, n);
  return out;
}

// A file with an explicit header text and data region (header_len overrides the length field).
void write_raw(const fs::path& path, const std::string& header, std::size_t data_bytes, int64_t header_len = -1) {
  std::ofstream out(path, std::ios::binary);
  const uint64_t len = header_len >= 0 ? uint64_t(header_len) : header.size();
  out.write(reinterpret_cast<const char*>(&len), 8);
  out << header;
  out << std::string(data_bytes, '\x01');
}

using pevlm::testing::expect_error;

// One tensor of each dtype with distinct byte patterns; checks byte-exact read back.
TEST(Safetensors, RoundTripEveryDtypeAndMetadata) {
  const fs::path dir = temp_dir("roundtrip");
  const std::vector<st::DType> dtypes = {st::DType::BF16, st::DType::F16, st::DType::F32, st::DType::F64,
                                         st::DType::I64,  st::DType::I32, st::DType::I16, st::DType::I8,
                                         st::DType::U8,   st::DType::BOOL};
  st::SafetensorsWriter w;
  std::map<std::string, std::vector<std::byte>> expected;
  for (std::size_t k = 0; k < dtypes.size(); ++k) {
    const std::string name = "t_" + std::string(st::dtype_name(dtypes[k]));
    const std::vector<int64_t> shape = {2, int64_t(k) + 1};
    std::vector<std::byte> data(std::size_t(2 * (k + 1)) * st::dtype_size(dtypes[k]));
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = std::byte((i * 7 + k * 13) & 0xff);
    if (dtypes[k] == st::DType::BOOL)
      for (auto& b : data) b = std::byte(int(b) & 1);
    w.add(name, dtypes[k], shape, data);
    expected[name] = data;
  }
  w.add("scalar", st::DType::F32, {}, bytes_of("\x00\x00\x80\x3f", 4));  // 1.0f
  w.add("empty", st::DType::F32, {0, 3}, {});
  const st::Metadata meta = {{"format", "pt"}, {"note", "round trip"}};
  w.write((dir / "a.safetensors").string(), meta);

  const auto f = st::SafetensorsFile::open((dir / "a.safetensors").string());
  EXPECT_EQ(f.metadata(), meta);
  EXPECT_EQ(f.tensors().size(), dtypes.size() + 2);
  for (std::size_t k = 0; k < dtypes.size(); ++k) {
    const std::string name = "t_" + std::string(st::dtype_name(dtypes[k]));
    const st::TensorView& v = f.get(name);
    EXPECT_EQ(v.dtype, dtypes[k]) << name;
    EXPECT_EQ(v.shape, (std::vector<int64_t>{2, int64_t(k) + 1})) << name;
    ASSERT_EQ(v.nbytes, expected[name].size()) << name;
    EXPECT_EQ(std::memcmp(v.data, expected[name].data(), v.nbytes), 0) << name;
    // Reference order (dtype size descending) makes every tensor naturally aligned.
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(v.data) % st::dtype_size(v.dtype), 0u) << name;
  }
  EXPECT_TRUE(f.get("scalar").shape.empty());
  EXPECT_EQ(f.get("scalar").numel(), 1);
  EXPECT_EQ(st::to_f32_vector(f.get("scalar")), std::vector<float>{1.0f});
  EXPECT_EQ(f.get("empty").nbytes, 0u);
  EXPECT_EQ(f.get("empty").numel(), 0);
  fs::remove_all(dir);
}

// Byte layout: u64-LE header length, header padded with spaces to 8, data contiguous, tensors
// ordered by dtype size descending then name.
TEST(Safetensors, WriterProducesReferenceLayout) {
  st::SafetensorsWriter w;
  const uint8_t u8[3] = {1, 2, 3};
  const double f64[1] = {2.5};
  const int32_t i32[2] = {-1, 7};
  w.add("b_u8", st::DType::U8, {3}, std::as_bytes(std::span(u8)));
  w.add("z_f64", st::DType::F64, {1}, std::as_bytes(std::span(f64)));
  w.add("a_i32", st::DType::I32, {2}, std::as_bytes(std::span(i32)));
  const std::vector<std::byte> file = w.serialize({{"k", "v"}});
  uint64_t n = 0;
  std::memcpy(&n, file.data(), 8);
  EXPECT_EQ((8 + n) % 8, 0u);
  ASSERT_EQ(file.size(), 8 + n + 8 + 8 + 3);
  const std::string header(reinterpret_cast<const char*>(file.data() + 8), n);
  const auto j = nlohmann::json::parse(header);  // trailing spaces are valid JSON whitespace
  EXPECT_EQ(header.substr(header.rfind('}') + 1).find_first_not_of(' '), std::string::npos);  // space padding
  EXPECT_EQ(j["__metadata__"]["k"], "v");
  EXPECT_EQ(j["z_f64"]["data_offsets"], nlohmann::json({0, 8}));
  EXPECT_EQ(j["a_i32"]["data_offsets"], nlohmann::json({8, 16}));
  EXPECT_EQ(j["b_u8"]["data_offsets"], nlohmann::json({16, 19}));
  EXPECT_EQ(j["a_i32"]["dtype"], "I32");
  EXPECT_EQ(j["b_u8"]["shape"], nlohmann::json({3}));
  double d = 0;
  std::memcpy(&d, file.data() + 8 + n, 8);
  EXPECT_EQ(d, 2.5);
}

TEST(Safetensors, ToF32ConvertsHalfAndBFloat) {
  st::SafetensorsWriter w;
  // bf16: 1.0, -2.0, 0.15625 (0x3E20); f16: 1.0, 1/3 rounded (0x3555), smallest subnormal, +inf.
  const uint16_t bf16[3] = {0x3F80, 0xC000, 0x3E20};
  const uint16_t f16[4] = {0x3C00, 0x3555, 0x0001, 0x7C00};
  const double f64[1] = {-0.125};
  w.add("bf16", st::DType::BF16, {3}, std::as_bytes(std::span(bf16)));
  w.add("f16", st::DType::F16, {4}, std::as_bytes(std::span(f16)));
  w.add("f64", st::DType::F64, {1}, std::as_bytes(std::span(f64)));
  w.add("i8", st::DType::I8, {1}, bytes_of("\x05", 1));
  const fs::path dir = temp_dir("tof32");
  w.write((dir / "x.safetensors").string());
  const auto f = st::SafetensorsFile::open((dir / "x.safetensors").string());
  EXPECT_EQ(st::to_f32_vector(f.get("bf16")), (std::vector<float>{1.0f, -2.0f, 0.15625f}));
  const auto h = st::to_f32_vector(f.get("f16"));
  EXPECT_EQ(h[0], 1.0f);
  EXPECT_EQ(h[1], 0.333251953125f);  // 0x3555 = 1365/4096
  EXPECT_EQ(h[2], 5.9604644775390625e-8f);  // 2^-24
  EXPECT_TRUE(std::isinf(h[3]) && h[3] > 0);
  EXPECT_EQ(st::to_f32_vector(f.get("f64")), std::vector<float>{-0.125f});
  expect_error([&] { st::to_f32_vector(f.get("i8")); }, {"i8", "I8"});
  fs::remove_all(dir);
}

TEST(Safetensors, DtypeNames) {
  EXPECT_EQ(st::parse_dtype("BF16"), st::DType::BF16);
  EXPECT_EQ(st::parse_dtype("BOOL"), st::DType::BOOL);
  EXPECT_EQ(st::dtype_size(st::DType::I64), 8u);
  EXPECT_EQ(st::dtype_size(st::DType::BOOL), 1u);
  expect_error([] { st::parse_dtype("F8_E4M3"); }, {"F8_E4M3", "BF16", "BOOL"});
}

TEST(Safetensors, WriterRejectsBadInput) {
  st::SafetensorsWriter w;
  const float two[2] = {1, 2};
  expect_error([&] { w.add("x", st::DType::F32, {3}, std::as_bytes(std::span(two))); }, {"'x'", "needs 12"});
  w.add("x", st::DType::F32, {2}, std::as_bytes(std::span(two)));
  expect_error([&] { w.add("x", st::DType::F32, {2}, std::as_bytes(std::span(two))); }, {"'x'", "twice"});
  expect_error([&] { w.add("__metadata__", st::DType::F32, {2}, std::as_bytes(std::span(two))); }, {"reserved"});
  expect_error([&] { w.add("n", st::DType::F32, {-2}, std::as_bytes(std::span(two))); }, {"'n'", "negative"});
  expect_error([&] { w.write("/nonexistent_dir_pevlm/x.safetensors"); }, {"/nonexistent_dir_pevlm/x.safetensors"});
}

// Each header validation error, on a file written byte by byte here.
class SafetensorsCorrupt : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = temp_dir("corrupt"); }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  void expect_open_error(const std::string& name, const std::vector<std::string>& parts) {
    std::vector<std::string> all = parts;
    all.push_back(path(name));
    expect_error([&] { st::SafetensorsFile::open(path(name)); }, all);
  }
  fs::path dir_;
};

TEST_F(SafetensorsCorrupt, FileTooSmall) {
  std::ofstream(path("small.safetensors"), std::ios::binary) << "abcd";
  expect_open_error("small.safetensors", {"too small"});
}

TEST_F(SafetensorsCorrupt, MissingFile) { expect_open_error("absent.safetensors", {"cannot open"}); }

TEST_F(SafetensorsCorrupt, HeaderLengthBeyondFile) {
  write_raw(path("len.safetensors"), R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}})", 1, 5000);
  expect_open_error("len.safetensors", {"header length 5000", "exceeds"});
}

TEST_F(SafetensorsCorrupt, BadJson) {
  write_raw(path("json.safetensors"), R"({"a":{"dtype":"U8",)", 0);
  expect_open_error("json.safetensors", {"not valid JSON"});
  write_raw(path("array.safetensors"), R"([1,2])", 0);
  expect_open_error("array.safetensors", {"must be an object"});
}

TEST_F(SafetensorsCorrupt, UnknownDtype) {
  write_raw(path("dtype.safetensors"), R"({"w.q":{"dtype":"F8_E5M2","shape":[1],"data_offsets":[0,1]}})", 1);
  expect_open_error("dtype.safetensors", {"'w.q'", "F8_E5M2"});
}

TEST_F(SafetensorsCorrupt, ShapeTimesDtypeSizeMismatch) {
  write_raw(path("size.safetensors"), R"({"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}})", 20);
  expect_open_error("size.safetensors", {"'w'", "needs 24 bytes", "span 20"});
}

TEST_F(SafetensorsCorrupt, OffsetsOutsideDataRegion) {
  write_raw(path("outside.safetensors"), R"({"w":{"dtype":"F32","shape":[6],"data_offsets":[0,24]}})", 16);
  expect_open_error("outside.safetensors", {"'w'", "outside the data region of 16 bytes"});
}

TEST_F(SafetensorsCorrupt, OverlappingOffsets) {
  write_raw(path("overlap.safetensors"),
            R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"b":{"dtype":"F32","shape":[4],"data_offsets":[8,24]}})",
            24);
  expect_open_error("overlap.safetensors", {"'b'", "overlaps tensor 'a'"});
}

TEST_F(SafetensorsCorrupt, NonContiguousOffsets) {
  write_raw(path("gap.safetensors"),
            R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[16,24]}})",
            24);
  expect_open_error("gap.safetensors", {"'b'", "gap after 'a'"});
  write_raw(path("late.safetensors"), R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})", 16);
  expect_open_error("late.safetensors", {"'a'", "gap after '(start of data)'"});
  write_raw(path("tail.safetensors"), R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", 16);
  expect_open_error("tail.safetensors", {"cover only 8", "'a'"});
}

TEST_F(SafetensorsCorrupt, MalformedEntries) {
  write_raw(path("neg.safetensors"), R"({"w":{"dtype":"U8","shape":[-1],"data_offsets":[0,1]}})", 1);
  expect_open_error("neg.safetensors", {"'w'", "non-negative"});
  write_raw(path("noshape.safetensors"), R"({"w":{"dtype":"U8","data_offsets":[0,1]}})", 1);
  expect_open_error("noshape.safetensors", {"'w'", "shape"});
  write_raw(path("offs.safetensors"), R"({"w":{"dtype":"U8","shape":[1],"data_offsets":[1,0]}})", 1);
  expect_open_error("offs.safetensors", {"'w'", "end before begin"});
  write_raw(path("meta.safetensors"), R"({"__metadata__":{"n":3},"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}})", 1);
  expect_open_error("meta.safetensors", {"__metadata__['n']", "string"});
}

TEST_F(SafetensorsCorrupt, MissingTensorNamesFileAndTensor) {
  write_raw(path("ok.safetensors"), R"({"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}})", 1);
  const auto f = st::SafetensorsFile::open(path("ok.safetensors"));
  EXPECT_TRUE(f.has("w"));
  expect_error([&] { f.get("nope"); }, {path("ok.safetensors"), "'nope'"});
}

// The golden checkpoint written by transformers 4.50 save_pretrained: 81 F32 tensors whose
// shapes manifest.json lists; golden.safetensors holds known integer values.
TEST(SafetensorsGolden, TinyModelWeightsMatchManifest) {
  const fs::path dir = fs::path(PEVLM_SHARED_DIR) / "golden" / "qwen2_5_vl_tiny";
  if (!fs::exists(dir / "model.safetensors")) GTEST_SKIP() << "golden tiny model not present in " << dir;
  const auto f = st::SafetensorsFile::open((dir / "model.safetensors").string());
  const auto manifest = nlohmann::json::parse(std::ifstream(dir / "manifest.json"));
  EXPECT_EQ(f.tensors().size(), 81u);
  ASSERT_EQ(manifest["weights"].size(), 81u);
  int64_t params = 0;
  for (const auto& [name, shape] : manifest["weights"].items()) {
    ASSERT_TRUE(f.has(name)) << name;
    EXPECT_EQ(f.get(name).dtype, st::DType::F32) << name;
    EXPECT_EQ(f.get(name).shape, shape.get<std::vector<int64_t>>()) << name;
    params += f.get(name).numel();
  }
  EXPECT_EQ(params, 187168);  // README: 187,168 params
  EXPECT_EQ(f.get("visual.patch_embed.proj.weight").shape, (std::vector<int64_t>{32, 3, 2, 14, 14}));
  EXPECT_EQ(f.get("lm_head.weight").shape, (std::vector<int64_t>{160, 64}));
}

// Fuzz reproducer (fuzz/regressions/fuzz_safetensors): shape [2^32, 2^31, 0] has 0 elements, but
// TensorView::numel() overflowed int64 on the way (UBSan); the header check now rejects the shape.
TEST(Safetensors, FuzzRegressionShapeOverflowingBeforeAZeroDim) {
  const fs::path file =
      fs::path(PEVLM_SOURCE_DIR) / "fuzz/regressions/fuzz_safetensors/numel_overflows_before_zero_dim.safetensors";
  expect_error([&] { st::SafetensorsFile::open(file.string()); }, {file.string(), "tensor 't'", "overflows"});
}

TEST(SafetensorsGolden, GoldenTensorsHaveManifestDtypesAndValues) {
  const fs::path dir = fs::path(PEVLM_SHARED_DIR) / "golden" / "qwen2_5_vl_tiny";
  if (!fs::exists(dir / "golden.safetensors")) GTEST_SKIP() << "golden tensors not present in " << dir;
  const auto f = st::SafetensorsFile::open((dir / "golden.safetensors").string());
  const auto manifest = nlohmann::json::parse(std::ifstream(dir / "manifest.json"));
  const std::map<std::string, st::DType> torch_names = {
      {"float32", st::DType::F32}, {"int64", st::DType::I64}, {"uint8", st::DType::U8}};
  EXPECT_EQ(f.tensors().size(), manifest["golden"].size());
  for (const auto& [name, desc] : manifest["golden"].items()) {
    ASSERT_TRUE(f.has(name)) << name;
    EXPECT_EQ(f.get(name).dtype, torch_names.at(desc["dtype"].get<std::string>())) << name;
    EXPECT_EQ(f.get(name).shape, desc["shape"].get<std::vector<int64_t>>()) << name;
  }
  EXPECT_EQ(f.metadata().at("format"), "pt");
  const st::TensorView& ids = f.get("generated_ids");
  std::vector<int64_t> got(8);
  std::memcpy(got.data(), ids.data, ids.nbytes);
  EXPECT_EQ(got, (std::vector<int64_t>{89, 33, 89, 47, 89, 47, 9, 61}));  // README
  const st::TensorView& grid = f.get("video_grid_thw");
  std::vector<int64_t> thw(3);
  std::memcpy(thw.data(), grid.data, grid.nbytes);
  EXPECT_EQ(thw, (std::vector<int64_t>{3, 6, 8}));
  EXPECT_EQ(st::to_f32_vector(f.get("second_per_grid_ts")), std::vector<float>{1.0f});
}

}  // namespace
