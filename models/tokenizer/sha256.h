// SHA-256 (FIPS 180-4) of a byte string as 64 lower-case hex digits, for recording which chat template
// a run rendered (chat_template.h). Small and dependency-free; checked against Python's hashlib in
// tests/chat_template_test.cpp.
#pragma once

#include <string>
#include <string_view>

namespace pevlm::tokenizer {

std::string sha256_hex(std::string_view bytes);

}  // namespace pevlm::tokenizer
