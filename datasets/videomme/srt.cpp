// SRT parsing (see srt.h).
#include "datasets/videomme/srt.h"

#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace pevlm::videomme {
namespace {

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t begin = 0;
  // A UTF-8 byte order mark is not part of the first line.
  if (text.size() >= 3 && text.compare(0, 3, "\xEF\xBB\xBF") == 0) begin = 3;
  while (begin <= text.size()) {
    size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(begin, end - begin);
    if (!line.empty() && line.back() == '\r') line.pop_back();  // CRLF files
    lines.push_back(std::move(line));
    begin = end + 1;
  }
  return lines;
}

std::string trim(const std::string& s) {
  size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return s.substr(a, b - a);
}

bool all_digits(const std::string& s) {
  const std::string t = trim(s);
  if (t.empty()) return false;
  for (char c : t)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

bool is_timing(const std::string& s) { return s.find("-->") != std::string::npos; }

// "a --> b[ position...]" -> (a, b); throws naming the text.
std::pair<double, double> parse_timing(const std::string& line) {
  const size_t arrow = line.find("-->");
  const std::string left = trim(line.substr(0, arrow));
  std::string right = trim(line.substr(arrow + 3));
  const size_t space = right.find_first_of(" \t");
  if (space != std::string::npos) right = right.substr(0, space);  // SRT position hints (X1:... ) after the end
  return {srt_time_to_seconds(left), srt_time_to_seconds(right)};
}

}  // namespace

double srt_time_to_seconds(const std::string& text) {
  // H+:MM:SS[,.]mmm
  const auto fail = [&] {
    throw std::invalid_argument("bad SRT time '" + text + "' (expected HH:MM:SS,mmm)");
  };
  const size_t c1 = text.find(':');
  const size_t c2 = c1 == std::string::npos ? c1 : text.find(':', c1 + 1);
  const size_t dot = c2 == std::string::npos ? c2 : text.find_first_of(",.", c2 + 1);
  if (c1 == std::string::npos || c2 == std::string::npos || dot == std::string::npos) fail();
  const std::string h = text.substr(0, c1), m = text.substr(c1 + 1, c2 - c1 - 1), s = text.substr(c2 + 1, dot - c2 - 1),
                    ms = text.substr(dot + 1);
  for (const std::string* part : {&h, &m, &s, &ms})
    if (!all_digits(*part) || *part != trim(*part)) fail();
  // More than 5 hour digits (> 11 years) is no subtitle time; it would overflow frame arithmetic.
  if (h.size() > 5 || m.size() != 2 || s.size() != 2 || ms.empty() || ms.size() > 3) fail();
  const int mi = std::stoi(m), si = std::stoi(s);
  if (mi > 59 || si > 59) fail();
  // lmms-eval parse_subtitle_time: int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000.
  return std::stod(h) * 3600 + mi * 60 + si + std::stoi(ms) / 1000.0;
}

std::vector<SrtCue> parse_srt(const std::string& text, const std::string& source) {
  const std::vector<std::string> lines = split_lines(text);
  const auto starts_cue = [&](size_t i) {
    return i < lines.size() && (is_timing(lines[i]) || (all_digits(lines[i]) && i + 1 < lines.size() && is_timing(lines[i + 1])));
  };
  std::vector<SrtCue> cues;
  size_t i = 0;
  while (i < lines.size()) {
    if (trim(lines[i]).empty()) {
      ++i;
      continue;
    }
    if (!starts_cue(i))
      throw std::runtime_error(source + ":" + std::to_string(i + 1) +
                               ": expected a cue number or a timing line 'HH:MM:SS,mmm --> HH:MM:SS,mmm', got '" + lines[i] + "'");
    SrtCue cue;
    if (!is_timing(lines[i])) {
      const std::string number = trim(lines[i]);
      if (number.size() > 9)
        throw std::runtime_error(source + ":" + std::to_string(i + 1) + ": cue number too long ('" + number + "')");
      cue.number = std::stoi(number);
      ++i;
    }
    cue.line = int(i + 1);
    try {
      std::tie(cue.start, cue.end) = parse_timing(lines[i]);
    } catch (const std::invalid_argument& e) {
      throw std::runtime_error(source + ":" + std::to_string(i + 1) + ": " + e.what() + " in '" + lines[i] + "'");
    }
    if (cue.end < cue.start)
      throw std::runtime_error(source + ":" + std::to_string(i + 1) + ": cue ends before it starts ('" + lines[i] + "')");
    ++i;
    // Text up to a blank line or the next cue (files with missing blank lines).
    while (i < lines.size() && !trim(lines[i]).empty() && !starts_cue(i)) cue.lines.push_back(lines[i++]);
    cues.push_back(std::move(cue));
  }
  return cues;
}

std::vector<SrtCue> load_srt(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read subtitle file " + path.string());
  std::ostringstream buf;
  buf << in.rdbuf();
  return parse_srt(buf.str(), path.string());
}

std::string cue_plain_text(const SrtCue& cue) {
  std::string joined;
  for (size_t k = 0; k < cue.lines.size(); ++k) joined += (k ? " " : "") + cue.lines[k];
  std::string out;
  bool in_tag = false;
  for (char c : joined) {
    if (c == '<') in_tag = true;
    else if (c == '>' && in_tag) in_tag = false;
    else if (!in_tag) out += c;
  }
  return trim(out);
}

}  // namespace pevlm::videomme
