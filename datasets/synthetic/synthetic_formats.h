#pragma once
// make_synthetic_dataset: small datasets in each benchmark release's real file formats, from the same
// drawn, checkable content as make_synthetic_lvb (synthetic_plan.h), with real encoded videos:
//  - lvb:      make_synthetic_lvb (LongVideoBench layout)
//  - videomme: videomme.jsonl (the columns of the release's Parquet, as scripts/convert-videomme-parquet
//              writes them), data/{videoID}.mp4, subtitle/{videoID}.srt (SubRip with Video-MME's
//              <font color="white" size=".72c"> wrapping; alternating LF / CRLF + BOM files; every third
//              video has no subtitle file, as 156 of the real 900); 3 questions per video, 4 options.
//  - mlvu:     json/1_plotQA.json .. 7_topic_reasoning.json (every task file present; videos dealt to the
//              tasks in turn), video/<stem>/<video>.mp4
//  - lvbench:  video_info.meta.jsonl (key + qa with inline "(A) .." options, question_type lists,
//              time_reference), videos/<key>.mp4
// plus synthetic_info.json (generator, seed, format, FFmpeg versions).
#include <cstdint>
#include <string>
#include <vector>

namespace pevlm::synthetic {

const std::vector<std::string>& synthetic_formats();  // {"lvb", "videomme", "mlvu", "lvbench"}

struct SyntheticDatasetSummary {
  std::string format, dir, codec;
  int videos = 0, questions = 0;
};

// Throws std::invalid_argument for an unknown format (listing the valid ones) or num_videos < 1.
SyntheticDatasetSummary make_synthetic_dataset(const std::string& format, const std::string& dir, int num_videos, uint64_t seed);


}  // namespace pevlm::synthetic
