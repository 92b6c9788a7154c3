// LVBench behind the dataset interface (library pevlm_lvbench, torch-free; issue 24 item 4; facts in
// ../shared/reference/benchmarks.md).
//
// Layout under <root> (THUDM/LVBench data/README.md: video_info.meta.jsonl from Hugging Face):
//   video_info.meta.jsonl   one line per video: {"key": <YouTube id>, ..., "qa": [{"uid", "question" (the
//                           stem, then "\n(A) ..\n(B) ..\n(C) ..\n(D) .." inline), "answer" (letter),
//                           "question_type" (a list of capability names), "time_reference"}]}
//   videos/<key>.mp4
// Categories (a question counts in each of its question_type values; THUDM/LVBench
// lvbench/metrics/compute_accuracy.py, names abbreviated as scripts/test_acc.py name_map):
// key information retrieval KIR, event understanding EU, summarization Sum, entity recognition ER,
// reasoning Rea, temporal grounding TG.
//
// Protocols:
//  - "official": LVBench's repository ships scoring, not a prompt: the release's question (with its inline
//    options) verbatim, no instruction; answers read by polish_answer (lvbench/utils/answer_util.py,
//    extractor lvbench_official), exact letter match.
//  - "lmms": lmms-eval tasks/lvbench/utils.py lvbench_doc_to_text: pre_prompt "" + question +
//    "\nAnswer the question with the option letter."; extract_mcq_answer (A-D, extractor lmms_mcq);
//    max_new_tokens 16 (lvbench.yaml).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "datasets/dataset/benchmark.h"
#include "datasets/dataset/mc_protocol.h"

namespace pevlm::lvbench {

inline constexpr const char* kAnnotationFile = "video_info.meta.jsonl";

// {release name, abbreviation}: {"key information retrieval", "KIR"}, ...
const std::vector<std::pair<std::string, std::string>>& categories();

// "stem\n(A) a\n(B) b..." -> stem and option texts; throws std::invalid_argument when no "(A) " option
// line is found or the letters are not consecutive from A.
void split_question(const std::string& question, std::string& stem, std::vector<std::string>& options);

std::vector<datasets::Sample> load_annotations(const std::filesystem::path& root);

const std::vector<std::string>& protocol_names();  // {"official", "lmms"}
datasets::McProtocol make_protocol(const std::string& name, const nlohmann::json& overrides = nlohmann::json::object());
// The release's whole question (stem + inline options) is kept as `raw_question`.
std::string question_text(const datasets::McProtocol& protocol, const std::string& raw_question);

std::unique_ptr<datasets::Benchmark> open(const datasets::DatasetSpec& spec);
nlohmann::json check_protocol(const nlohmann::json& protocol);

}  // namespace pevlm::lvbench
