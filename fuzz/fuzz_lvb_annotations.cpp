// Fuzzes LongVideoBench annotation loading (datasets/longvideobench/annotations.cpp, json_fields.cpp):
// the input is <root>/lvb_val.json, loaded as the validation split (answers required, media files
// checked: none exist, so every sample records them missing), then the same document as the test split
// (answers optional); samples that load are written back with sample_to_json.
#include "datasets/longvideobench/annotations.h"
#include "fuzz/fuzz_common.h"

using namespace pevlm::lvb;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto root = pevlm::fuzz::scratch_dir("lvb_annotations");
  pevlm::fuzz::write_file(root / kValFile, pevlm::fuzz::as_text(data, size));
  pevlm::fuzz::expect_clean([&] {
    for (const Sample& s : load_annotations(root, kValFile)) (void)sample_to_json(s).dump();
  });
  pevlm::fuzz::expect_clean([&] {
    const auto doc = nlohmann::json::parse(pevlm::fuzz::as_text(data, size));
    for (const Sample& s : parse_annotations(doc, "fuzz-test-split", /*require_answers=*/false, root))
      (void)s.correct_letter();
  });
  return 0;
}
