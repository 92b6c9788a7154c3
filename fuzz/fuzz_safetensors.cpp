// Fuzzes the safetensors header parser (models/safetensors/safetensors.cpp, SafetensorsFile::open):
// 8-byte header length, JSON header (dtypes, shapes, data_offsets, __metadata__), layout checks. On a file
// that opens, every tensor is looked up by name and floating-point ones are converted (to_f32_vector), so
// a view that points outside the mapping shows up as an ASan report.
#include "fuzz/fuzz_common.h"
#include "models/safetensors/safetensors.h"

using namespace pevlm::safetensors;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto file = pevlm::fuzz::scratch_dir("safetensors") / "input.safetensors";
  pevlm::fuzz::write_file(file, pevlm::fuzz::as_text(data, size));
  pevlm::fuzz::expect_clean([&] {
    const SafetensorsFile f = SafetensorsFile::open(file.string());
    for (const std::string& name : f.names()) {
      const TensorView& t = f.get(name);
      if (t.dtype == DType::BF16 || t.dtype == DType::F16 || t.dtype == DType::F32 || t.dtype == DType::F64)
        (void)to_f32_vector(t);
      else if (t.nbytes > 0)
        volatile std::byte last = t.data[t.nbytes - 1];
    }
    (void)f.metadata();
  });
  return 0;
}
