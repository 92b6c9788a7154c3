// A protocol's assistant prefix: text the assistant turn starts with, after the chat template's generation
// prompt, so that the model's answer continues from it. MLVU's official evaluation (MLVU
// evaluation/choice_bench.py) starts the answer with "Best Option: (" and reads the option letter from the
// continuation; issue 24 item 3.
//
// The prefix is tokenised on its own and appended to the built prompt. That equals tokenising the rendered
// prompt as one string when the prefix does not start with whitespace: the template's generation prompt ends
// "<|im_start|>assistant\n", and the Qwen2 pre-tokeniser splits "\n" (\s*[\r\n]+) from a following letter
// ([^\r\n\p{L}\p{N}]?\p{L}+ excludes a newline), so no BPE merge crosses the boundary (tested:
// assistant_prefix_test). A prefix starting with whitespace is refused for that reason.
#pragma once

#include <string>

namespace pevlm {

struct VideoPrompt;
namespace tokenizer {
class Tokenizer;
}

// Appends `prefix`'s tokens to `prompt` (ids, text, the last span: the question block, which then ends with
// the prefix; a question span is added when the prompt has none) with positions continuing the last token's
// on every axis (text after the video: get_rope_index gives each axis last + 1). No-op for "". Throws
// std::invalid_argument naming the prefix when it starts with whitespace or the prompt is empty.
void append_assistant_prefix(VideoPrompt& prompt, const tokenizer::Tokenizer& tokenizer, const std::string& prefix);

}  // namespace pevlm
