#include "datasets/videomme/subtitle_select.h"

#include <cmath>
#include <map>
#include <stdexcept>
#include <utility>

#include "datasets/longvideobench/frame_sampling.h"
#include "datasets/videomme/python_set_order.h"

namespace pevlm::videomme {

std::vector<std::string> cues_at_frame_times(const std::vector<SrtCue>& cues, const std::vector<double>& frame_times) {
  std::vector<std::string> lines;
  for (const SrtCue& c : cues) {
    for (double t : frame_times) {
      if (c.start <= t && t < c.end) {
        lines.push_back(cue_plain_text(c));
        break;
      }
    }
  }
  return lines;
}

namespace {

// re.findall(r'<font color="white" size=".72c">(.*?)</font>', text)[0], or nothing.
bool first_font_match(const std::string& text, std::string& out) {
  static const std::string open = "<font color=\"white\" size=\".72c\">", close = "</font>";
  // "." in the pattern matches any character but a newline; the text has none (lines joined by " ").
  size_t from = 0;
  while (true) {
    const size_t a = text.find(open, from);
    if (a == std::string::npos) return false;
    const size_t b = text.find(close, a + open.size());
    if (b == std::string::npos) return false;
    out = text.substr(a + open.size(), b - a - open.size());
    return true;
  }
}

}  // namespace

std::vector<std::string> lmms_subtitle_lines(const std::vector<SrtCue>& cues, int64_t total_frame, double fps, int frame_num) {
  if (total_frame < 1) throw std::invalid_argument("lmms subtitles: the video has no frames");
  // dict keyed by (start, end): first position, last text.
  std::vector<std::pair<std::pair<double, double>, std::string>> spans;
  std::map<std::pair<double, double>, size_t> slot;
  for (const SrtCue& c : cues) {
    std::string text;
    for (size_t k = 0; k < c.lines.size(); ++k) text += (k ? " " : "") + c.lines[k];
    const auto key = std::make_pair(c.start, c.end);
    const auto it = slot.find(key);
    if (it == slot.end()) {
      slot.emplace(key, spans.size());
      spans.push_back({key, text});
    } else {
      spans[it->second].second = text;
    }
  }
  if (!(fps > 0) || !std::isfinite(fps) || fps > 1e6)
    throw std::invalid_argument("lmms subtitles: fps must be in (0, 1e6], got " + std::to_string(fps));
  struct FrameSpan {
    int64_t start, end;
  };
  std::vector<FrameSpan> frames_of;
  for (const auto& s : spans) frames_of.push_back({int64_t(s.first.first * fps), int64_t(s.first.second * fps)});
  const int64_t n = frame_num == -1 ? total_frame : frame_num;
  if (n < 1) throw std::invalid_argument("lmms subtitles: frame_num must be >= 1 or -1, got " + std::to_string(frame_num));
  std::vector<int64_t> hits;
  for (int64_t f : lvb::numpy_linspace_int(total_frame - 1, n))
    for (size_t i = 0; i < frames_of.size(); ++i)
      if (f < frames_of[i].end && f >= frames_of[i].start) hits.push_back(int64_t(i));
  std::vector<std::string> lines;
  for (int64_t i : python_set_order(hits)) {
    std::string text;
    if (first_font_match(spans[size_t(i)].second, text)) lines.push_back(text);
  }
  return lines;
}

}  // namespace pevlm::videomme
