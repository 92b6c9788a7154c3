// The chat template of a checkpoint folder (issue 20, item 5): found where transformers looks for it,
// matched against the templates pevlm knows, and recorded (name, file, sha256) in every result row.
//
// No maintained C++ Jinja engine is packaged for Debian (no inja/minja/jinja2cpp packages), so pevlm does
// not interpret Jinja: it recognises the known templates (known_chat_templates.cpp) and renders them with
// its prompt builders (models/tokenizer/qwen_chat.*, models/qwen2_5_vl/prompt.*, Qwen2Backbone::chat_prompt
// for llava_video and longvila). tests/chat_template_test.cpp and the family golden tests prove, for each
// family and each template it accepts, that the builder's text equals transformers' own rendering of
// the template (scripts/golden/make_chat_template_golden.py). Any other template is an error naming the
// file: a prompt is never built from an assumed template.
//
// Where the template is read (transformers 5.x, tokenization_utils_base.py / processing_utils.py):
//  - Tokenizer lookup (LongVILA llm/, LLaVA-Video lmms-lab layout): chat_template.jinja, else
//    tokenizer_config.json "chat_template" (a string, or a list of {name, template} with "default").
//  - Processor lookup (Qwen2.5-VL, LLaVA-Video llava-hf/OneVision layout): processor_config.json
//    "chat_template", else chat_template.json "chat_template", else chat_template.jinja.
// When several of these files hold a template they must agree (transformers releases differ in which
// one wins); disagreement is an error naming both files.
// Matching: the text with Jinja's "\n" string escapes read as newlines and trailing newlines dropped
// (both spellings render the same), compared exactly. The recorded sha256 is of the text as stored.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace pevlm::tokenizer {

struct KnownChatTemplate {
  std::string name;      // "qwen2" | "qwen2_vila" | "qwen2_5_vl" | "llava_onevision"
  std::string origin;    // where the text comes from (for messages)
  std::string text;      // verbatim
};

// Every template pevlm renders (known_chat_templates.cpp).
const std::vector<KnownChatTemplate>& known_chat_templates();
// The known template `name`; throws std::invalid_argument listing the names.
const KnownChatTemplate& known_chat_template(const std::string& name);

enum class ChatTemplateLookup { Tokenizer, Processor };

// The template a folder's reference code renders.
struct ChatTemplate {
  std::string name;    // the known template it is
  std::string source;  // "FILE" or "FILE:chat_template" (a JSON key)
  std::string sha256;  // of the template text as stored (after JSON string decoding)
  // {"name", "source", "sha256"}
  nlohmann::json to_json() const;
};

// The comparison form: "\n" escapes (backslash, n) as newlines, trailing newlines removed.
std::string normalise_chat_template(const std::string& text);

// Reads `dir`'s template by `lookup` and matches it. `accepted`: the known templates `family`'s prompt
// builder renders. Throws std::runtime_error naming the folder and the files looked at (no template),
// the file (unreadable JSON, wrong type, an unknown template with its sha256 and the known names, a known
// one the family does not render, listing the accepted ones) or both files (disagreeing sources).
ChatTemplate read_chat_template(const std::filesystem::path& dir, ChatTemplateLookup lookup,
                                const std::vector<std::string>& accepted, const std::string& family);

// For the tiny writers: stores the known template `name` where `lookup` reads it first among JSON
// files (Tokenizer: the "chat_template" key of tokenizer_config.json, kept beside any other keys that
// file already has; Processor: chat_template.json), as released checkpoints do. Returns the file.
std::filesystem::path write_chat_template(const std::filesystem::path& dir, ChatTemplateLookup lookup,
                                          const std::string& name);

}  // namespace pevlm::tokenizer
