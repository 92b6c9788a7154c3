// Fuzzes tokenizer.json loading (models/tokenizer: tokenizer_load.cpp, the SAX reader json_reader.cpp,
// from_spec in tokenizer.cpp, the pre-tokenizer regex compile in pretokenizer.cpp). When the file loads,
// a short fixed text (ASCII, CJK, an added-token spelling, a combining accent) is encoded and decoded.
#include "fuzz/fuzz_common.h"
#include "models/tokenizer/tokenizer.h"

using pevlm::tokenizer::Tokenizer;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto file = pevlm::fuzz::scratch_dir("tokenizer_json") / "tokenizer.json";
  pevlm::fuzz::write_file(file, pevlm::fuzz::as_text(data, size));
  pevlm::fuzz::expect_clean([&] {
    const Tokenizer tok = Tokenizer::from_tokenizer_json(file);
    const auto ids = tok.encode("Hello world, 12 caf\xc3\xa9 e\xcc\x81 \xe4\xbd\xa0\xe5\xa5\xbd <|im_start|>user\n<|endoftext|>");
    (void)tok.decode(ids);
    (void)tok.decode(ids, /*skip_special=*/true);
  });
  return 0;
}
