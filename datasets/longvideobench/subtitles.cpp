// Subtitle parsing and interleaving (see subtitles.h; LongVideoBench longvideobench_dataset.py).
#include "datasets/longvideobench/subtitles.h"

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "datasets/longvideobench/json_fields.h"

namespace pevlm::lvb {
namespace {

// Python int() of a decimal string (digits with an optional sign; surrounding spaces allowed).
bool parse_python_int(const std::string& s, long long& out) {
  size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  if (b == std::string::npos) return false;
  std::string t = s.substr(b, e - b + 1);
  size_t i = (t[0] == '+' || t[0] == '-') ? 1 : 0;
  if (i == t.size()) return false;
  for (size_t k = i; k < t.size(); ++k) {
    if (t[k] < '0' || t[k] > '9') return false;
  }
  try {
    out = std::stoll(t);
  } catch (const std::out_of_range&) {
    return false;
  }
  return true;
}

// Python float() of a decimal string ("05.250", "7", "1e1").
bool parse_python_float(const std::string& s, double& out) {
  if (s.empty() || s.find_first_not_of(" \t") == std::string::npos) return false;
  const char* begin = s.c_str();
  char* end = nullptr;
  errno = 0;
  out = std::strtod(begin, &end);
  while (*end == ' ' || *end == '\t') ++end;
  return errno == 0 && *end == '\0' && end != begin;
}

Subtitle parse_timestamp_schema(const nlohmann::json& item, const JsonContext& ctx) {
  const auto& ts = require_field(item, "timestamp", ctx);
  if (!ts.is_array() || ts.size() != 2) {
    ctx.fail("timestamp", "expected [start, end], got " + describe_json(ts));
  }
  if (!is_json_number(ts[0])) ctx.fail("timestamp", "start: expected a number, got " + describe_json(ts[0]));
  if (!ts[1].is_null() && !is_json_number(ts[1])) {
    ctx.fail("timestamp", "end: expected a number or null, got " + describe_json(ts[1]));
  }
  Subtitle sub;
  sub.start = ts[0].get<double>();
  // Reference: `if not isinstance(end, float): end = duration` (null AND integer ends).
  sub.end_is_duration = !ts[1].is_number_float();
  sub.end = ts[1].is_number() ? ts[1].get<double>() : 0.0;
  sub.text = get_string(item, "text", ctx);
  return sub;
}

Subtitle parse_line_schema(const nlohmann::json& item, const JsonContext& ctx) {
  Subtitle sub;
  sub.start = timestamp_to_seconds(get_string(item, "start", ctx), ctx.file + ": " + ctx.entry + ": field \"start\"");
  sub.end = timestamp_to_seconds(get_string(item, "end", ctx), ctx.file + ": " + ctx.entry + ": field \"end\"");
  sub.text = get_string(item, "line", ctx);
  return sub;
}

}  // namespace

double timestamp_to_seconds(const std::string& hms, const std::string& context) {
  // h, m, s = timestamp.split(":") -> exactly three parts.
  size_t a = hms.find(':');
  size_t b = a == std::string::npos ? a : hms.find(':', a + 1);
  long long h = 0, m = 0;
  double s = 0.0;
  bool ok = a != std::string::npos && b != std::string::npos &&
            hms.find(':', b + 1) == std::string::npos &&
            parse_python_int(hms.substr(0, a), h) && parse_python_int(hms.substr(a + 1, b - a - 1), m) &&
            parse_python_float(hms.substr(b + 1), s);
  if (!ok) {
    throw std::runtime_error(context + ": expected a time \"HH:MM:SS.fff\", got \"" + hms + "\"");
  }
  // In double: Python's int arithmetic cannot overflow, long long's can ("99999999999999999:00:00").
  return static_cast<double>(h) * 3600.0 + static_cast<double>(m) * 60.0 + s;
}

std::vector<Subtitle> parse_subtitles(const nlohmann::json& doc, const std::string& source) {
  if (!doc.is_array()) {
    throw std::runtime_error(source + ": expected a JSON list of subtitles, got " + describe_json(doc));
  }
  std::vector<Subtitle> out;
  out.reserve(doc.size());
  for (size_t i = 0; i < doc.size(); ++i) {
    JsonContext ctx{source, "subtitle " + std::to_string(i)};
    const auto& item = doc[i];
    if (!item.is_object()) ctx.fail("", "expected an object, got " + describe_json(item));
    // The reference dispatches on the presence of "timestamp".
    if (item.contains("timestamp")) {
      out.push_back(parse_timestamp_schema(item, ctx));
    } else if (item.contains("start") || item.contains("line")) {
      out.push_back(parse_line_schema(item, ctx));
    } else {
      ctx.fail("", "expected {\"timestamp\": [start, end], \"text\": ...} or "
                   "{\"start\": \"HH:MM:SS.fff\", \"end\": ..., \"line\": ...}");
    }
  }
  return out;
}

std::vector<Subtitle> load_subtitles(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path.string() + ": cannot open subtitle file");
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw std::runtime_error(path.string() + ": invalid JSON: " + e.what());
  }
  return parse_subtitles(doc, path.string());
}

std::vector<InterleavedItem> interleave_subtitles(const std::vector<double>& frame_timestamps,
                                                  const std::vector<Subtitle>& subtitles,
                                                  double starting_timestamp_for_subtitles,
                                                  double duration) {
  std::vector<InterleavedItem> out;
  size_t cur = 0;  // next frame not yet emitted
  for (const Subtitle& sub : subtitles) {
    double start = sub.start - starting_timestamp_for_subtitles;
    double end = (sub.end_is_duration ? duration : sub.end) - starting_timestamp_for_subtitles;
    const double mid = (start + end) / 2;
    while (cur < frame_timestamps.size() && frame_timestamps[cur] <= mid) {
      out.push_back({true, static_cast<int>(cur), {}});
      ++cur;
    }
    if (end - start < 1) {  // short line: a 1 s window around its midpoint
      end = mid + 0.5;
      start = mid - 0.5;
    }
    bool covering = false;  // reference scans ALL frames, not only the remaining ones
    for (double t : frame_timestamps) {
      if (t < end && t > start) {
        covering = true;
        break;
      }
    }
    if (covering) out.push_back({false, -1, sub.text});
  }
  for (; cur < frame_timestamps.size(); ++cur) out.push_back({true, static_cast<int>(cur), {}});
  return out;
}

}  // namespace pevlm::lvb
