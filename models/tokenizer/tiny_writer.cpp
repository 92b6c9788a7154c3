#include "models/tokenizer/tiny_writer.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <unordered_map>
#include <vector>

#include "models/tokenizer/pretokenizer.h"
#include "models/tokenizer/qwen_special_tokens.h"
#include "models/tokenizer/utf8.h"

namespace pevlm::tokenizer {

namespace {

const char* kDefaultText =
    "You are a helpful assistant. Answer with the option's letter from the given choices directly.\n"
    "Question: What is the person in the video doing? A. Cooking B. Reading C. Running D. Singing E. Sleeping\n"
    "The video shows a person in a kitchen cutting a green onion with a knife on a wooden table. "
    "There is a screen with burning wood in the upper left corner of the scene, and the subtitles "
    "mention the onion, the bread and the oven. When the subtitle says that the soup is ready, the "
    "person takes a silver bowl with a tomato and a pumpkin from the shelf and puts it on the table.\n"
    "In the next scene a man is reading the news in a studio while a map of the weather is shown "
    "behind him. He says that it will rain in the north and that the sun will shine in the south "
    "for the rest of the week. Then the camera moves to a street where people are walking and "
    "talking, and a woman in a red coat is running to catch the bus.\n"
    "Which of the following happens first in the video? What color is the coat of the woman? "
    "How many people are in the room when the music starts? Where does the man put the book after "
    "he reads the letter? Why does the woman open the window at the end of the video?\n"
    "The best answer is the option that matches what the video shows and what the subtitles say. "
    "Think about the order of the events, the objects in the scene and the words that are spoken.\n";

using Word = std::vector<int32_t>;

struct Trainer {
  std::vector<std::string> token_bytes;                 // id -> raw bytes
  std::unordered_map<std::string, int32_t> bytes_to_id;
  std::vector<std::pair<int32_t, int32_t>> merges;
  std::vector<std::pair<Word, int64_t>> words;          // unique words with counts

  void add_token(std::string bytes) {
    bytes_to_id.emplace(bytes, static_cast<int32_t>(token_bytes.size()));
    token_bytes.push_back(std::move(bytes));
  }

  // The most frequent adjacent pair, ties to the smallest (left, right); false when words are single tokens.
  bool best_pair(std::pair<int32_t, int32_t>& best) const {
    std::map<std::pair<int32_t, int32_t>, int64_t> counts;
    for (const auto& [w, n] : words)
      for (size_t i = 0; i + 1 < w.size(); ++i) counts[{w[i], w[i + 1]}] += n;
    int64_t best_n = 0;
    for (const auto& [p, n] : counts)
      if (n > best_n) best_n = n, best = p;
    return best_n > 0;
  }

  void apply(std::pair<int32_t, int32_t> p, int32_t merged) {
    for (auto& [w, n] : words) {
      Word out;
      for (size_t i = 0; i < w.size(); ++i) {
        if (i + 1 < w.size() && w[i] == p.first && w[i + 1] == p.second) {
          out.push_back(merged);
          ++i;
        } else {
          out.push_back(w[i]);
        }
      }
      w.swap(out);
    }
  }

  void train(const std::string& text, int num_merges) {
    const auto order = bytes_in_vocab_order();
    for (uint8_t b : order) add_token(std::string(1, static_cast<char>(b)));
    std::vector<std::string_view> pieces;
    RegexSplitter(kQwen2Pattern).split(text, pieces);
    std::map<std::string, int64_t> counts;  // ordered: deterministic word order
    for (auto piece : pieces) counts[std::string(piece)] += 1;
    for (const auto& [s, n] : counts) {
      Word w;
      for (char c : s) w.push_back(bytes_to_id.at(std::string(1, c)));
      words.emplace_back(std::move(w), n);
    }
    std::pair<int32_t, int32_t> p;
    while (static_cast<int>(merges.size()) < num_merges && best_pair(p)) {
      const std::string joined = token_bytes[p.first] + token_bytes[p.second];
      auto it = bytes_to_id.find(joined);
      const int32_t merged = it != bytes_to_id.end() ? it->second : static_cast<int32_t>(token_bytes.size());
      if (it == bytes_to_id.end()) add_token(joined);
      merges.push_back(p);
      apply(p, merged);
    }
  }
};

nlohmann::ordered_json pre_tokenizer_json() {
  return {{"type", "Sequence"},
          {"pretokenizers",
           {{{"type", "Split"}, {"pattern", {{"Regex", kQwen2Pattern}}}, {"behavior", "Isolated"}, {"invert", false}},
            {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", false}, {"use_regex", false}}}}};
}

}  // namespace

TinyTokenizerInfo write_tiny_tokenizer_json(const std::filesystem::path& path, const TinyTokenizerOptions& options) {
  if (options.num_merges < 0) throw std::invalid_argument("write_tiny_tokenizer_json: num_merges must be >= 0");
  Trainer t;
  t.train(options.training_text.empty() ? kDefaultText : options.training_text, options.num_merges);

  TinyTokenizerInfo info;
  info.base_vocab_size = static_cast<int32_t>(t.token_bytes.size());
  auto added = qwen2_5_vl_added_tokens(info.base_vocab_size);
  for (const std::string& extra : options.extra_special_tokens)
    added.push_back({info.base_vocab_size + static_cast<int32_t>(added.size()), extra, true});
  info.added = added;
  info.vocab_size = info.base_vocab_size + static_cast<int32_t>(added.size());
  if (options.vocab_size > 0 && options.vocab_size < info.vocab_size)
    throw std::invalid_argument("write_tiny_tokenizer_json: vocab_size " + std::to_string(options.vocab_size) +
                                " is smaller than the tokenizer's own " + std::to_string(info.vocab_size) + " ids");

  using oj = nlohmann::ordered_json;
  oj vocab = oj::object();
  for (size_t id = 0; id < t.token_bytes.size(); ++id) vocab[bytes_to_vocab_form(t.token_bytes[id])] = id;
  // Fillers: printable ASCII is its own byte-level form, so "<fill_N>" decodes to itself.
  for (int32_t id = info.vocab_size; id < options.vocab_size; ++id) vocab["<fill_" + std::to_string(id) + ">"] = id;
  info.vocab_size = std::max(info.vocab_size, options.vocab_size);
  oj merges = oj::array();
  for (const auto& [l, r] : t.merges) {
    const std::string a = bytes_to_vocab_form(t.token_bytes[l]), b = bytes_to_vocab_form(t.token_bytes[r]);
    merges.push_back(options.string_merges ? oj(a + " " + b) : oj::array({a, b}));
  }
  oj added_json = oj::array();
  for (const auto& a : added) {
    added_json.push_back({{"id", a.id}, {"content", a.content}, {"single_word", false}, {"lstrip", false},
                          {"rstrip", false}, {"normalized", false}, {"special", a.special}});
    info.special_ids[a.content] = a.id;
  }
  // Field order and values as in Qwen/Qwen2.5-VL-7B-Instruct's tokenizer.json.
  oj j;
  j["version"] = "1.0";
  j["truncation"] = nullptr;
  j["padding"] = nullptr;
  j["added_tokens"] = added_json;
  j["normalizer"] = {{"type", "NFC"}};
  j["pre_tokenizer"] = pre_tokenizer_json();
  j["post_processor"] = {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", false}, {"use_regex", false}};
  j["decoder"] = {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", false}, {"use_regex", false}};
  j["model"] = {{"type", "BPE"}, {"dropout", nullptr}, {"unk_token", nullptr}, {"continuing_subword_prefix", ""},
                {"end_of_word_suffix", ""}, {"fuse_unk", false}, {"byte_fallback", false}, {"ignore_merges", false},
                {"vocab", vocab}, {"merges", merges}};

  std::ofstream out(path, std::ios::binary);
  if (!out) throw std::runtime_error("write_tiny_tokenizer_json: cannot write " + path.string());
  out << j.dump(2) << "\n";
  if (!out) throw std::runtime_error("write_tiny_tokenizer_json: write failed for " + path.string());
  return info;
}

}  // namespace pevlm::tokenizer
