// SubRip (.srt) subtitle files, as Video-MME ships them (subtitle/{videoID}.srt; library pevlm_videomme,
// torch-free). The parser is strict about what it cannot read and tolerant of what real files contain:
// a UTF-8 byte order mark, CRLF line ends, cues not separated by a blank line, cue numbers missing, and
// "." instead of "," before the milliseconds. A cue it cannot read is an error naming the file and line.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace pevlm::videomme {

struct SrtCue {
  int number = 0;               // the cue's number line (0 when the file omits it)
  double start = 0.0;           // seconds
  double end = 0.0;             // seconds (>= start)
  std::vector<std::string> lines;  // text lines as stored (tags kept)
  int line = 0;                 // 1-based line of the timing line in the file
};

// Parses SRT text; `source` names it in errors ("<file>:<line>: ...").
std::vector<SrtCue> parse_srt(const std::string& text, const std::string& source);
// Reads and parses a file; throws std::runtime_error naming the file when it cannot be read.
std::vector<SrtCue> load_srt(const std::filesystem::path& path);

// "HH:MM:SS,mmm" (or ".mmm") -> seconds; throws std::invalid_argument on anything else.
double srt_time_to_seconds(const std::string& text);

// The cue's text for a prompt: lines joined by " ", every <...> tag removed, surrounding spaces trimmed.
std::string cue_plain_text(const SrtCue& cue);

}  // namespace pevlm::videomme
