// Fuzzes vocab.json + merges.txt (+ tokenizer_config.json) loading (models/tokenizer/tokenizer_load.cpp
// Tokenizer::load on a folder, the slow-tokenizer layout of Qwen2). The input is the files joined by a
// separator line: vocab.json "\n@@@@\n" merges.txt ["\n@@@@\n" tokenizer_config.json]. When it loads, a
// short fixed text is encoded and decoded.
#include "fuzz/fuzz_common.h"
#include "models/tokenizer/tokenizer.h"

using pevlm::tokenizer::Tokenizer;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto parts = pevlm::fuzz::split(pevlm::fuzz::as_text(data, size), "\n@@@@\n");
  const auto dir = pevlm::fuzz::scratch_dir("tokenizer_vocab_merges");
  pevlm::fuzz::write_file(dir / "vocab.json", parts[0]);
  pevlm::fuzz::write_file(dir / "merges.txt", parts.size() > 1 ? parts[1] : std::string_view{});
  std::error_code ec;
  if (parts.size() > 2)
    pevlm::fuzz::write_file(dir / "tokenizer_config.json", parts[2]);
  else
    std::filesystem::remove(dir / "tokenizer_config.json", ec);
  pevlm::fuzz::expect_clean([&] {
    const Tokenizer tok = Tokenizer::load(dir);
    const auto ids = tok.encode("Hello world, 12 caf\xc3\xa9 \xe4\xbd\xa0\xe5\xa5\xbd <|im_start|>user\n<|im_end|>");
    (void)tok.decode(ids);
  });
  return 0;
}
