// Fuzzes the sharded-checkpoint index parser (models/safetensors/checkpoint.cpp, Checkpoint::open on a
// folder with model.safetensors.index.json): the input is the index JSON; the folder also holds two
// fixed, valid shards (model-00001-of-00002.safetensors with tensors "a" and "b",
// model-00002-of-00002.safetensors with "c") so weight_map lookups, shard/tensor consistency checks and
// metadata are reached, not only "shard missing".
#include "fuzz/fuzz_common.h"
#include "models/safetensors/safetensors.h"

#include <array>

using namespace pevlm::safetensors;

namespace {

const std::filesystem::path& folder() {
  static const std::filesystem::path dir = [] {
    const auto d = pevlm::fuzz::scratch_dir("safetensors_index") / "ckpt";
    std::filesystem::create_directories(d);
    const std::array<std::byte, 8> bytes{};
    SafetensorsWriter w1;
    w1.add("a", DType::F32, {2}, bytes);
    w1.add("b", DType::BF16, {2, 2}, bytes);
    w1.write((d / "model-00001-of-00002.safetensors").string(), {{"format", "pt"}});
    SafetensorsWriter w2;
    w2.add("c", DType::I64, {1}, bytes);
    w2.write((d / "model-00002-of-00002.safetensors").string());
    return d;
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& dir = folder();
  pevlm::fuzz::write_file(dir / "model.safetensors.index.json", pevlm::fuzz::as_text(data, size));
  pevlm::fuzz::expect_clean([&] {
    const Checkpoint ckpt = Checkpoint::open(dir.string());
    for (const std::string& name : ckpt.names()) {
      const TensorView& t = ckpt.get(name);
      (void)ckpt.file_of(name);
      if (t.nbytes > 0) {
        volatile std::byte last = t.data[t.nbytes - 1];  // the last byte must be readable
        (void)last;
      }
    }
    (void)ckpt.metadata();
  });
  return 0;
}
