// Finding, matching and recording a folder's chat template; see chat_template.h.
#include "models/tokenizer/chat_template.h"

#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "models/tokenizer/sha256.h"

namespace pevlm::tokenizer {
namespace fs = std::filesystem;
namespace {

struct FoundTemplate {
  std::string source;
  std::string text;
};

std::string read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error(file.string() + ": cannot be read");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

nlohmann::json read_json(const fs::path& file) {
  try {
    return nlohmann::json::parse(read_file(file));
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(file.string() + ": not valid JSON (" + e.what() + ")");
  }
}

// The "chat_template" value of a JSON file: a string, or (tokenizer_config.json) a list of
// {"name", "template"} from which transformers renders "default". nullopt when the key is absent or null.
std::optional<FoundTemplate> json_template(const fs::path& file) {
  if (!fs::exists(file)) return std::nullopt;
  const nlohmann::json j = read_json(file);
  if (!j.is_object() || !j.contains("chat_template") || j["chat_template"].is_null()) return std::nullopt;
  const nlohmann::json& v = j["chat_template"];
  const std::string source = file.string() + ":chat_template";
  if (v.is_string()) return FoundTemplate{source, v.get<std::string>()};
  if (v.is_array()) {
    for (const nlohmann::json& e : v)
      if (e.is_object() && e.value("name", "") == "default" && e.contains("template") && e["template"].is_string())
        return FoundTemplate{source, e["template"].get<std::string>()};
    throw std::runtime_error(source + ": a list of named templates without a \"default\" one (the template "
                             "transformers renders when none is named)");
  }
  throw std::runtime_error(source + ": expected a string (or a list of {name, template}), got " + std::string(v.type_name()));
}

std::optional<FoundTemplate> jinja_file(const fs::path& file) {
  if (!fs::exists(file)) return std::nullopt;
  return FoundTemplate{file.string(), read_file(file)};
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

}  // namespace

const KnownChatTemplate& known_chat_template(const std::string& name) {
  std::vector<std::string> names;
  for (const KnownChatTemplate& k : known_chat_templates()) {
    if (k.name == name) return k;
    names.push_back(k.name);
  }
  throw std::invalid_argument("unknown chat template '" + name + "' (known: " + join(names) + ")");
}

nlohmann::json ChatTemplate::to_json() const { return {{"name", name}, {"source", source}, {"sha256", sha256}}; }

std::string normalise_chat_template(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == 'n') {
      out += '\n';
      ++i;
    } else {
      out += text[i];
    }
  }
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

ChatTemplate read_chat_template(const fs::path& dir, ChatTemplateLookup lookup, const std::vector<std::string>& accepted,
                                const std::string& family) {
  // Candidates in the order the transformers class reads them (chat_template.h).
  std::vector<std::pair<fs::path, bool>> files;  // (file, is JSON)
  if (lookup == ChatTemplateLookup::Tokenizer) {
    files = {{dir / "chat_template.jinja", false}, {dir / "tokenizer_config.json", true}};
  } else {
    files = {{dir / "processor_config.json", true}, {dir / "chat_template.json", true}, {dir / "chat_template.jinja", false}};
  }
  std::vector<FoundTemplate> found;
  std::vector<std::string> looked;
  for (const auto& [file, is_json] : files) {
    looked.push_back(file.filename().string() + (is_json ? " (key \"chat_template\")" : ""));
    if (auto t = is_json ? json_template(file) : jinja_file(file)) found.push_back(*t);
  }
  const char* reader = lookup == ChatTemplateLookup::Tokenizer ? "tokenizer" : "processor";
  if (found.empty())
    throw std::runtime_error(family + " model folder " + dir.string() + ": no chat template (looked for " + join(looked) +
                             ", as transformers' " + reader +
                             " does); the prompt is rendered from the checkpoint's template, never an assumed one");
  const std::string norm = normalise_chat_template(found[0].text);
  for (size_t i = 1; i < found.size(); ++i)
    if (normalise_chat_template(found[i].text) != norm)
      throw std::runtime_error(family + " model folder " + dir.string() + ": the chat templates of " + found[0].source +
                               " and " + found[i].source +
                               " differ (transformers releases disagree on which one wins); keep one of them");
  ChatTemplate t;
  t.source = found[0].source;
  t.sha256 = sha256_hex(found[0].text);
  std::vector<std::string> known_names;
  for (const KnownChatTemplate& k : known_chat_templates()) {
    known_names.push_back(k.name);
    if (t.name.empty() && normalise_chat_template(k.text) == norm) t.name = k.name;
  }
  if (t.name.empty())
    throw std::runtime_error(t.source + ": chat template (sha256 " + t.sha256 +
                             ") is not one pevlm can render (no Jinja engine; known templates: " + join(known_names) +
                             "; accepted for the " + family + " family: " + join(accepted) + ")");
  for (const std::string& a : accepted)
    if (a == t.name) return t;
  throw std::runtime_error(t.source + ": chat template '" + t.name + "' (" + known_chat_template(t.name).origin +
                           ") is not one the " + family + " prompt builder renders (accepted: " + join(accepted) + ")");
}

fs::path write_chat_template(const fs::path& dir, ChatTemplateLookup lookup, const std::string& name) {
  const KnownChatTemplate& k = known_chat_template(name);
  const fs::path file = dir / (lookup == ChatTemplateLookup::Tokenizer ? "tokenizer_config.json" : "chat_template.json");
  nlohmann::json j = nlohmann::json::object();
  if (lookup == ChatTemplateLookup::Tokenizer && fs::exists(file)) j = read_json(file);
  j["chat_template"] = k.text;
  std::ofstream out(file);
  out << j.dump(2) << "\n";
  if (!out) throw std::runtime_error("cannot write " + file.string());
  return file;
}

}  // namespace pevlm::tokenizer
