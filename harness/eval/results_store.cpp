#include "harness/eval/results_store.h"

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "harness/config_io.h"

namespace pevlm {
namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

std::vector<nlohmann::json> read_results_jsonl(const std::filesystem::path& path, std::string* torn) {
  std::vector<nlohmann::json> rows;
  if (!std::filesystem::exists(path)) return rows;
  const std::string text = slurp(path);
  size_t start = 0, line_no = 0;
  while (start < text.size()) {
    const size_t nl = text.find('\n', start);
    ++line_no;
    if (nl == std::string::npos) {  // no newline: the write of this row never completed
      if (torn) *torn = text.substr(start);
      break;
    }
    const std::string line = text.substr(start, nl - start);
    start = nl + 1;
    if (line.empty()) continue;
    try {
      rows.push_back(nlohmann::json::parse(line));
    } catch (const nlohmann::json::exception& e) {
      throw std::runtime_error(path.string() + ":" + std::to_string(line_no) + ": not a JSON row (" + e.what() + ")");
    }
  }
  return rows;
}

std::vector<std::string> differing_keys(const nlohmann::json& a, const nlohmann::json& b) {
  std::vector<std::string> out;
  for (auto it = a.begin(); it != a.end(); ++it)
    if (!b.contains(it.key()) || b[it.key()] != it.value()) out.push_back(it.key());
  for (auto it = b.begin(); it != b.end(); ++it)
    if (!a.contains(it.key())) out.push_back(it.key());
  return out;
}

ResultsStore::ResultsStore(const std::filesystem::path& dir, const nlohmann::json& run_settings, bool resume)
    : dir_(dir), path_(dir / "results.jsonl") {
  std::filesystem::create_directories(dir_);
  const auto run_path = dir_ / "run.json";
  const bool has_rows = std::filesystem::exists(path_) && std::filesystem::file_size(path_) > 0;
  if (has_rows && !resume)
    throw std::invalid_argument(path_.string() + " already holds results; resume (the default) or choose another --out");
  if (std::filesystem::exists(run_path)) {
    const nlohmann::json before = nlohmann::json::parse(slurp(run_path));
    const auto diff = differing_keys(before, run_settings);
    if (!diff.empty()) {
      std::string keys;
      for (const auto& k : diff) keys += (keys.empty() ? "" : ", ") + k;
      throw std::invalid_argument("cannot resume into " + dir_.string() + ": the run settings differ from " + run_path.string() +
                                  " in: " + keys + " (use another --out for a different configuration)");
    }
  } else {
    write_text_file(run_path, run_settings.dump(2) + "\n");
  }
  std::string torn;
  for (const auto& row : read_results_jsonl(path_, &torn)) keys_.insert(row.at("key").get<std::string>());
  if (!torn.empty()) {
    // Drop the incomplete row: truncate to the last newline so the next append starts cleanly.
    const auto size = std::filesystem::file_size(path_);
    std::filesystem::resize_file(path_, size - torn.size());
    std::fprintf(stderr, "[results] %s: dropped a torn last line (%zu bytes) left by an interrupted run\n", path_.c_str(),
                 torn.size());
  }
  appender_ = std::make_unique<JsonlAppender>(path_);
}

ResultsStore::~ResultsStore() = default;

void ResultsStore::append(const nlohmann::json& row) {
  const std::string key = row.at("key").get<std::string>();
  if (keys_.count(key)) throw std::logic_error("results: duplicate key " + key);
  appender_->append(row, "the result row " + key);  // resuming later continues from that row
  keys_.insert(key);
}

void merge_results(const std::filesystem::path& out, const std::vector<std::filesystem::path>& inputs) {
  if (inputs.empty()) throw std::invalid_argument("merge: no input folders");
  nlohmann::json settings;
  std::map<std::string, std::filesystem::path> owner;
  std::vector<nlohmann::json> rows;
  for (const auto& in : inputs) {
    const auto run_path = in / "run.json";
    if (!std::filesystem::exists(run_path)) throw std::invalid_argument("merge: " + run_path.string() + " is missing");
    const nlohmann::json s = nlohmann::json::parse(slurp(run_path));
    if (settings.is_null()) settings = s;
    const auto diff = differing_keys(settings, s);
    if (!diff.empty()) {
      std::string keys;
      for (const auto& k : diff) keys += (keys.empty() ? "" : ", ") + k;
      throw std::invalid_argument("merge: " + in.string() + " was run with different settings (" + keys + ") than " +
                                  inputs.front().string());
    }
    std::string torn;
    for (auto& row : read_results_jsonl(in / "results.jsonl", &torn)) {
      const std::string key = row.at("key").get<std::string>();
      auto [it, inserted] = owner.emplace(key, in);
      if (!inserted)
        throw std::invalid_argument("merge: duplicate result " + key + " in " + it->second.string() + " and " + in.string());
      rows.push_back(std::move(row));
    }
    if (!torn.empty()) std::fprintf(stderr, "[merge] %s: ignored a torn last line\n", in.c_str());
  }
  std::filesystem::create_directories(out);
  if (std::filesystem::exists(out / "results.jsonl") && std::filesystem::file_size(out / "results.jsonl") > 0)
    throw std::invalid_argument("merge: " + (out / "results.jsonl").string() + " already exists");
  std::string text;
  for (const auto& r : rows) text += r.dump() + "\n";
  write_text_file(out / "results.jsonl", text);
  write_text_file(out / "run.json", settings.dump(2) + "\n");
}

}  // namespace pevlm
