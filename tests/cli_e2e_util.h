// Helpers shared by the CLI end-to-end tests (video_lm, qwen3_vl, sparse and reduction e2e): run a `pevlm`
// command with its output in a log file, read a file back, and the usual fixture of a fresh folder holding
// a tiny checkpoint (`model/`) and a one-video synthetic LongVideoBench set (`lvb/`).
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace pevlm::testing {

// Runs `cmd` through the shell, stdout and stderr to `log`; the exit status (-1 when it did not exit).
inline int run_logged(const std::string& cmd, const std::filesystem::path& log) {
  const int rc = std::system((cmd + " >" + log.string() + " 2>&1").c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

struct TinyFixture {
  std::filesystem::path dir;  // <tmp>/<name>_<pid>: model/, lvb/, tiny.log, lvb.log
  std::string error;          // empty, or the failing command's log
};
// `bin`: the pevlm executable; `tiny_args`: extra make-tiny-model arguments (e.g. "--family qwen3_vl").
inline TinyFixture tiny_fixture(const std::string& bin, const std::string& name, const std::string& tiny_args) {
  TinyFixture f;
  f.dir = std::filesystem::temp_directory_path() / (name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(f.dir);
  std::filesystem::create_directories(f.dir);
  if (run_logged(bin + " make-tiny-model " + (f.dir / "model").string() + " --seed 3 " + tiny_args, f.dir / "tiny.log") != 0)
    f.error = "make-tiny-model: " + read_file(f.dir / "tiny.log");
  else if (run_logged(bin + " make-synthetic-lvb " + (f.dir / "lvb").string() + " --videos 1 --seed 5", f.dir / "lvb.log") != 0)
    f.error = "make-synthetic-lvb: " + read_file(f.dir / "lvb.log");
  return f;
}

// <dir>/eval.yaml over a tiny_fixture folder: its model and synthetic set (2 samples), lmms_val_v with 4 frames,
// fp32, one thread, and `methods` (YAML flow entries). Returns the file's path.
inline std::filesystem::path write_eval_config(const std::filesystem::path& dir, const std::vector<std::string>& methods) {
  const std::filesystem::path file = dir / "eval.yaml";
  std::ofstream config(file);
  config << "model: " << (dir / "model").string() << "\n"
         << "dataset: {root: " << (dir / "lvb").string() << ", split: val, limit: 2}\n"
         << "protocol: {name: lmms_val_v, max_num_frames: 4}\n"
         << "dtype: fp32\nthreads: 1\nmethods:\n";
  for (const auto& m : methods) config << "  - " << m << "\n";
  return file;
}

}  // namespace pevlm::testing
