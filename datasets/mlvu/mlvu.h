// MLVU dev, the 7 multiple-choice tasks, behind the dataset interface (library pevlm_mlvu, torch-free;
// issue 24 item 3; facts in ../shared/reference/benchmarks.md).
//
// Layout under <root> (the release, MLVU/MVLU on Hugging Face; JUNJIE99/MLVU evaluation/
// multiple_choice_evaluation/choice_bench.py reads the same files):
//   json/1_plotQA.json 2_needle.json 3_ego.json 4_count.json 5_order.json 6_anomaly_reco.json
//        7_topic_reasoning.json      JSON arrays of {"video", "duration", "question", "candidates",
//                                    "answer" (the correct candidate's text), "question_type"}
//   video/<json stem>/<video>        e.g. video/1_plotQA/movie101_66.mp4
// The generation tasks (8_sub_scene, 9_summary) are not multiple-choice and are not read.
//
// Protocols:
//  - "official": choice_bench.py: system "Carefully watch this video and pay attention to every detail.
//    Based on your observations, select the best option that accurately addresses the question.", user
//    "Question: <q>\nOptions:\n(A) ..\n(B) ..\nOnly give the best option." (qa_template rstrips the
//    options; the commented template joins "Only give the best option." after a newline), assistant
//    prefix "Best Option: ("; check_ans: the character before the first ")" (extractor mlvu_official).
//  - "lmms": lmms-eval tasks/mlvu/utils.py mlvu_doc_to_text (commit 025f0168): "\n" + question +
//    "\nOnly give the best option.\n" + "\n" + "Best option: (" with the question holding its options
//    ("(A) ..", one per line; the Hugging Face MLVU_dev copy's format, unverified), max_new_tokens 16.
// Metric: M-Avg = the unweighted mean of the 7 per-task accuracies (lmms-eval mlvu_aggregate_results_dev,
// choice_bench.py's final_res), plus each task's accuracy.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "datasets/dataset/benchmark.h"
#include "datasets/dataset/mc_protocol.h"

namespace pevlm::mlvu {

inline constexpr const char* kSystemPrompt =
    "Carefully watch this video and pay attention to every detail. Based on your observations, select the best "
    "option that accurately addresses the question.";

// The 7 multiple-choice tasks as {json stem, question_type}: 1_plotQA/plotQA ... 7_topic_reasoning/topic_reasoning.
struct TaskFile {
  std::string stem;
  std::string task;
};
const std::vector<TaskFile>& task_files();

// Loads every task file (each must exist: a missing one is an error naming the expected path).
std::vector<datasets::Sample> load_dev(const std::filesystem::path& root);

const std::vector<std::string>& protocol_names();  // {"official", "lmms"}
datasets::McProtocol make_protocol(const std::string& name, const nlohmann::json& overrides = nlohmann::json::object());
std::string question_text(const datasets::McProtocol& protocol, const datasets::Sample& sample);

std::unique_ptr<datasets::Benchmark> open(const datasets::DatasetSpec& spec);
nlohmann::json check_protocol(const nlohmann::json& protocol);

}  // namespace pevlm::mlvu
