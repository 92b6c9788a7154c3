#include "models/tokenizer/tokenizer.h"

#include <algorithm>
#include <stdexcept>

#include "models/tokenizer/bpe.h"
#include "models/tokenizer/normalizer.h"
#include "models/tokenizer/pretokenizer.h"
#include "models/tokenizer/string_index.h"
#include "models/tokenizer/utf8.h"

namespace pevlm::tokenizer {

struct Tokenizer::Impl {
  enum Kind : uint8_t { kNone = 0, kBase = 1, kAdded = 2, kSpecial = 3 };
  std::string source;
  std::vector<std::string> id_form;                     // vocabulary form per id
  StringIndex form_to_id{&id_form};                     // vocab + added tokens
  std::vector<std::string> id_bytes;                    // raw bytes per id (added: content)
  std::vector<Kind> id_kind;
  std::vector<AddedToken> added;
  BpeModel bpe;
  AddedTokenMatcher matcher;
  std::unique_ptr<RegexSplitter> splitter;
  bool nfc = true;

  void encode_segment(std::string_view seg, std::vector<int32_t>& out) const;
  void grow(int32_t id) {
    if (id >= static_cast<int32_t>(id_form.size())) {
      id_form.resize(id + 1);
      id_bytes.resize(id + 1);
      id_kind.resize(id + 1, kNone);
    }
  }
};

namespace {

[[noreturn]] void fail(const std::string& source, const std::string& what) {
  throw std::runtime_error("tokenizer " + source + ": " + what);
}

// Per-id tables are dense (sized by the largest id), so an absurd id in a damaged file would allocate
// gigabytes (and INT32_MAX + 1 overflows). Real vocabularies stay below ~300k (Qwen2: 151,665).
constexpr int32_t kMaxTokenId = (1 << 21) - 1;

void check_id(const std::string& source, const std::string& key, const std::string& token, int32_t id) {
  if (id < 0 || id > kMaxTokenId)
    fail(source, "key '" + key + "': token '" + token + "' has id " + std::to_string(id) + ", expected 0.." +
                     std::to_string(kMaxTokenId));
}

}  // namespace

Tokenizer Tokenizer::from_spec(const TokenizerSpec& spec) {
  auto impl = std::make_shared<Impl>();
  impl->source = spec.source;
  impl->nfc = spec.nfc;
  impl->splitter = std::make_unique<RegexSplitter>(spec.pattern);
  impl->form_to_id.reserve(spec.vocab.size() + spec.added.size());
  int32_t max_id = -1;
  for (const auto& v : spec.vocab) {
    check_id(spec.source, "model.vocab", v.first, v.second);
    max_id = std::max(max_id, v.second);
  }
  impl->grow(max_id);
  impl->bpe.reserve(spec.merges.size());
  std::string bytes;
  for (const auto& [form, id] : spec.vocab) {
    if (!vocab_form_to_bytes(form, bytes))
      fail(spec.source, "key 'model.vocab': token '" + form + "' is not in byte-level (GPT-2 byte-to-unicode) form");
    impl->grow(id);
    if (impl->id_kind[id] != Impl::kNone)
      fail(spec.source, "key 'model.vocab': id " + std::to_string(id) + " is used by both '" + impl->id_form[id] + "' and '" + form + "'");
    impl->id_form[id] = form;
    if (!impl->form_to_id.insert(form, id)) fail(spec.source, "key 'model.vocab': token '" + form + "' appears twice");
    impl->id_kind[id] = Impl::kBase;
    if (bytes.size() == 1) impl->bpe.set_byte_token(static_cast<uint8_t>(bytes[0]), id);
    impl->id_bytes[id] = std::move(bytes);
  }
  for (int b = 0; b < 256; ++b)
    if (!impl->bpe.has_byte_token(static_cast<uint8_t>(b)))
      fail(spec.source, "key 'model.vocab': no token for byte " + std::to_string(b) + " ('" +
                            bytes_to_vocab_form(std::string(1, static_cast<char>(b))) + "'); a byte-level vocabulary needs all 256");
  std::string joined;
  for (size_t r = 0; r < spec.merges.size(); ++r) {
    // Not a structured binding: clang 14 (the fuzz build, scripts/fuzz) cannot capture one in a lambda.
    const std::string& l = spec.merges[r].first;
    const std::string& rt = spec.merges[r].second;
    auto find = [&](const std::string& form) {
      const int32_t id = impl->form_to_id.find(form);
      if (id < 0)
        fail(spec.source, "key 'model.merges' entry " + std::to_string(r) + " ('" + l + "' '" + rt + "'): token '" + form + "' is not in the vocabulary");
      return id;
    };
    joined.assign(l).append(rt);
    impl->bpe.add_merge(find(l), find(rt), find(joined));
  }
  for (const auto& t : spec.added) {
    if (t.id < 0 || t.content.empty())
      fail(spec.source, "key 'added_tokens': token '" + t.content + "' needs a non-negative id and non-empty content");
    check_id(spec.source, "added_tokens", t.content, t.id);
    impl->grow(t.id);
    // GPT-2 lists <|endoftext|> both in the vocabulary and as an added token, with the same id.
    if (impl->id_kind[t.id] == Impl::kBase && impl->id_form[t.id] != t.content)
      fail(spec.source, "key 'added_tokens': id " + std::to_string(t.id) + " of '" + t.content + "' is already the vocabulary token '" + impl->id_form[t.id] + "'");
    if (impl->id_kind[t.id] >= Impl::kAdded) fail(spec.source, "key 'added_tokens': id " + std::to_string(t.id) + " appears twice");
    impl->id_form[t.id] = t.content;
    impl->id_bytes[t.id] = t.content;
    impl->id_kind[t.id] = t.special ? Impl::kSpecial : Impl::kAdded;
    impl->form_to_id.assign(t.content, t.id);
    impl->added.push_back(t);
  }
  impl->matcher.build(impl->added);
  return Tokenizer(std::move(impl));
}

void Tokenizer::Impl::encode_segment(std::string_view seg, std::vector<int32_t>& out) const {
  if (seg.empty()) return;
  std::string text;
  if (nfc) {
    text = pevlm::tokenizer::nfc(seg);
  } else {
    const size_t bad = find_invalid_utf8(seg);
    if (bad != std::string_view::npos)
      throw std::invalid_argument("tokenizer: input text is not valid UTF-8 (byte offset " + std::to_string(bad) + ")");
    text.assign(seg);
  }
  std::vector<std::string_view> words;
  splitter->split(text, words);
  for (std::string_view w : words) bpe.encode_word(w, out);
}

std::vector<int32_t> Tokenizer::encode(std::string_view text, bool allow_special) const {
  std::vector<int32_t> out;
  out.reserve(text.size() / 3 + 4);
  size_t pos = 0;
  while (pos <= text.size()) {
    const auto m = impl_->matcher.find(text, pos, allow_special);
    const size_t end = m.begin == std::string_view::npos ? text.size() : m.begin;
    impl_->encode_segment(text.substr(pos, end - pos), out);
    if (m.begin == std::string_view::npos) break;
    out.push_back(m.id);
    pos = m.begin + m.length;
  }
  return out;
}

std::string Tokenizer::decode_bytes(std::span<const int32_t> ids, bool skip_special) const {
  std::string out;
  for (int32_t id : ids) {
    if (id < 0 || id >= static_cast<int32_t>(impl_->id_kind.size()) || impl_->id_kind[id] == Impl::kNone)
      throw std::out_of_range("tokenizer " + impl_->source + ": cannot decode unknown token id " + std::to_string(id) +
                              " (vocab_size " + std::to_string(vocab_size()) + ")");
    if (skip_special && impl_->id_kind[id] == Impl::kSpecial) continue;
    out += impl_->id_bytes[id];
  }
  return out;
}

std::string Tokenizer::decode(std::span<const int32_t> ids, bool skip_special) const {
  return utf8_lossy(decode_bytes(ids, skip_special));
}

int32_t Tokenizer::token_id(std::string_view token) const {
  const int32_t id = impl_->form_to_id.find(token);
  if (id < 0) throw std::out_of_range("tokenizer " + impl_->source + ": no token '" + std::string(token) + "' in the vocabulary");
  return id;
}

const std::string& Tokenizer::token_text(int32_t id) const {
  if (id < 0 || id >= static_cast<int32_t>(impl_->id_kind.size()) || impl_->id_kind[id] == Impl::kNone)
    throw std::out_of_range("tokenizer " + impl_->source + ": unknown token id " + std::to_string(id));
  return impl_->id_form[id];
}

int32_t Tokenizer::vocab_size() const { return static_cast<int32_t>(impl_->id_kind.size()); }

bool Tokenizer::is_special(int32_t id) const {
  return id >= 0 && id < vocab_size() && impl_->id_kind[id] == Impl::kSpecial;
}

const std::vector<AddedToken>& Tokenizer::added_tokens() const { return impl_->added; }
const std::string& Tokenizer::pattern() const { return impl_->splitter->pattern(); }
const std::string& Tokenizer::source() const { return impl_->source; }

}  // namespace pevlm::tokenizer
