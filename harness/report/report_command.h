// `pevlm report DIR [--caps 20,30,40] [--latency model|with_decode_video] [--speed FILE]`:
// reads DIR/results.jsonl (and DIR/speed.json or --speed), writes DIR/report.md, report.csv,
// report.json. The lead registers it in harness/main.cpp.
#pragma once

#include <string>
#include <vector>

namespace pevlm {

int run_report_command(const std::vector<std::string>& args);

}  // namespace pevlm
