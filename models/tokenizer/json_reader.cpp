#include "models/tokenizer/json_reader.h"

#include <stdexcept>
#include <vector>

namespace pevlm::tokenizer {

using nlohmann::json;

bool split_merge(std::string_view line, std::pair<std::string, std::string>& out) {
  const size_t sp = line.find(' ');
  if (sp == std::string_view::npos || sp == 0 || sp + 1 >= line.size() || line.find(' ', sp + 1) != std::string_view::npos)
    return false;
  out.first.assign(line.substr(0, sp));
  out.second.assign(line.substr(sp + 1));
  return true;
}

namespace {

class SpecSax : public nlohmann::json_sax<json> {
 public:
  SpecSax(const std::filesystem::path& file, JsonLayout layout, TokenizerSpec& spec, JsonReadResult& out)
      : file_(file), layout_(layout), spec_(spec), out_(out) {}

  bool null() override { return scalar(json(nullptr)); }
  bool boolean(bool v) override { return scalar(json(v)); }
  bool number_integer(number_integer_t v) override { return integer(v); }
  bool number_unsigned(number_unsigned_t v) override { return integer(static_cast<int64_t>(v)); }
  bool number_float(number_float_t v, const string_t&) override { return scalar(json(v)); }
  bool binary(binary_t&) override { return scalar(json(nullptr)); }

  bool string(string_t& v) override {
    if (frames_.empty()) return scalar(json(std::move(v)));  // a string as the whole document (rejected there)
    Frame& f = top();
    if (f.kind == Kind::kMerges) {
      if (!split_merge(v, pair_)) fail(merge_key(), "expected \"left right\", got \"" + v + "\"");
      spec_.merges.push_back(std::move(pair_));
      ++f.count;
      return true;
    }
    if (f.kind == Kind::kMergePair) {
      if (f.count >= 2) fail(merge_key(), "expected a pair [\"left\", \"right\"]");
      (f.count == 0 ? pair_.first : pair_.second) = std::move(v);
      ++f.count;
      return true;
    }
    return scalar(json(std::move(v)));
  }

  bool start_object(std::size_t) override {
    if (frames_.empty() && layout_ == JsonLayout::kVocabJson) return push({Kind::kVocab, nullptr, "", 0});
    if (!frames_.empty() && is_model_child("vocab")) {
      out_.has_vocab = true;
      return push({Kind::kVocab, nullptr, "model.vocab", 0});
    }
    reject_in_capture("an object");
    json* node = insert(json::object());
    return push({Kind::kObject, node, child_path(), 0});
  }
  bool start_array(std::size_t) override {
    if (!frames_.empty() && is_model_child("merges")) {
      out_.has_merges = true;
      return push({Kind::kMerges, nullptr, "model.merges", 0});
    }
    if (!frames_.empty() && top().kind == Kind::kMerges) return push({Kind::kMergePair, nullptr, "", 0});
    reject_in_capture("an array");
    json* node = insert(json::array());
    return push({Kind::kArray, node, child_path(), 0});
  }
  bool key(string_t& k) override {
    top().key = std::move(k);
    return true;
  }
  bool end_object() override {
    frames_.pop_back();
    return true;
  }
  bool end_array() override {
    if (top().kind == Kind::kMergePair) {
      if (top().count != 2) fail(merge_key(), "expected a pair [\"left\", \"right\"]");
      frames_.pop_back();
      spec_.merges.push_back(std::move(pair_));
      ++top().count;
      return true;
    }
    frames_.pop_back();
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& ex) override {
    throw std::runtime_error("tokenizer file " + file_.string() + ": invalid JSON: " + ex.what());
  }

 private:
  enum class Kind { kObject, kArray, kVocab, kMerges, kMergePair };
  struct Frame {
    Kind kind;
    json* node;        // DOM container (kObject / kArray)
    std::string path;  // dotted path for errors ("model", "added_tokens[2]")
    size_t count;      // elements seen (arrays)
    std::string key = {};  // last key (objects)
  };

  Frame& top() { return frames_.back(); }
  bool push(Frame f) {
    frames_.push_back(std::move(f));
    return true;
  }
  [[noreturn]] void fail(const std::string& key, const std::string& what) const {
    throw std::runtime_error("tokenizer file " + file_.string() + ": key '" + key + "': " + what);
  }
  std::string merge_key() const {
    for (auto it = frames_.rbegin(); it != frames_.rend(); ++it)
      if (it->kind == Kind::kMerges) return "model.merges[" + std::to_string(it->count) + "]";
    return "model.merges";
  }
  // True when the value about to start is root.model.<name> in a tokenizer.json.
  bool is_model_child(const char* name) const {
    return layout_ == JsonLayout::kTokenizerJson && frames_.size() == 2 && frames_[1].kind == Kind::kObject &&
           frames_[0].key == "model" && frames_[1].key == name;
  }
  void reject_in_capture(const std::string& what) {
    if (frames_.empty()) {
      if (layout_ == JsonLayout::kVocabJson) fail("(root)", "expected an object of token -> id, got " + what);
      return;
    }
    const Kind k = top().kind;
    if (k == Kind::kVocab) fail(top().path + "." + top().key, "expected an integer id, got " + what);
    if (k == Kind::kMerges || k == Kind::kMergePair) fail(merge_key(), "expected a string \"left right\" or a pair [\"left\", \"right\"], got " + what);
  }
  std::string child_path() const {
    if (frames_.empty()) return "";
    const Frame& f = frames_.back();
    const std::string prefix = f.path.empty() ? "" : f.path + (f.kind == Kind::kObject ? "." : "");
    return f.kind == Kind::kObject ? prefix + f.key : f.path + "[" + std::to_string(f.count - 1) + "]";
  }
  // Adds a value to the DOM at the current position; returns where it lives.
  json* insert(json v) {
    if (frames_.empty()) {
      out_.rest = std::move(v);
      return &out_.rest;
    }
    Frame& f = top();
    if (f.kind == Kind::kObject) return &((*f.node)[f.key] = std::move(v));
    f.node->push_back(std::move(v));
    ++f.count;
    return &f.node->back();
  }
  bool integer(int64_t v) {
    if (!frames_.empty() && top().kind == Kind::kVocab) {
      if (v < 0 || v > INT32_MAX) fail(top().path + (top().path.empty() ? "" : ".") + top().key, "id out of range");
      spec_.vocab.emplace_back(top().key, static_cast<int32_t>(v));
      return true;
    }
    return scalar(json(v));
  }
  bool scalar(json v) {
    if (!frames_.empty() && top().kind == Kind::kVocab)
      fail(top().path + (top().path.empty() ? "" : ".") + top().key, std::string("expected an integer id, got ") + v.type_name());
    reject_in_capture(v.type_name());
    insert(std::move(v));
    return true;
  }

  const std::filesystem::path& file_;
  JsonLayout layout_;
  TokenizerSpec& spec_;
  JsonReadResult& out_;
  std::vector<Frame> frames_;
  std::pair<std::string, std::string> pair_;
};

}  // namespace

JsonReadResult read_tokenizer_json(const std::string& text, const std::filesystem::path& file, JsonLayout layout,
                                   TokenizerSpec& spec) {
  JsonReadResult out;
  SpecSax sax(file, layout, spec, out);
  json::sax_parse(text, &sax);
  if (layout == JsonLayout::kVocabJson) out.has_vocab = true;
  return out;
}

}  // namespace pevlm::tokenizer
