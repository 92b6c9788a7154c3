#include "harness/table.h"

#include <cstdio>
#include <sstream>

namespace pevlm {
namespace {

const nlohmann::json* lookup(const nlohmann::json& row, const std::string& key) {
  const nlohmann::json* cur = &row;
  size_t start = 0;
  while (true) {
    const size_t dot = key.find('.', start);
    const std::string part = key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!cur->is_object() || !cur->contains(part)) return nullptr;
    cur = &(*cur)[part];
    if (dot == std::string::npos) return cur;
    start = dot + 1;
  }
}

std::string csv_escape(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += (c == '"') ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

std::string format_cell(const nlohmann::json& row, const Column& col) {
  const nlohmann::json* v = lookup(row, col.key);
  if (!v || v->is_null()) return "";
  if (v->is_string()) return v->get<std::string>();
  if (v->is_number_float() && col.precision >= 0) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.*f", col.precision, v->get<double>());
    return buf;
  }
  return v->dump();
}

std::string to_markdown(const std::vector<Column>& cols, const std::vector<nlohmann::json>& rows) {
  std::ostringstream out;
  out << "|";
  for (const auto& c : cols) out << " " << c.title << " |";
  out << "\n|";
  for (const auto& c : cols) out << (c.precision >= 0 ? " ---: |" : " --- |");
  out << "\n";
  for (const auto& r : rows) {
    out << "|";
    for (const auto& c : cols) {
      std::string cell = format_cell(r, c);
      for (size_t p = 0; (p = cell.find('|', p)) != std::string::npos; p += 2) cell.replace(p, 1, "\\|");
      out << " " << cell << " |";
    }
    out << "\n";
  }
  return out.str();
}

std::string to_csv(const std::vector<Column>& cols, const std::vector<nlohmann::json>& rows) {
  std::ostringstream out;
  for (size_t i = 0; i < cols.size(); ++i) out << (i ? "," : "") << csv_escape(cols[i].key);
  out << "\n";
  for (const auto& r : rows) {
    for (size_t i = 0; i < cols.size(); ++i) out << (i ? "," : "") << csv_escape(format_cell(r, cols[i]));
    out << "\n";
  }
  return out.str();
}

}  // namespace pevlm
