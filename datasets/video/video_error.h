#pragma once
// VideoError: the one exception type of datasets/video. Its message always names the file and what was
// wrong ("video '/data/x.mp4': no video stream (streams: audio)"), so a per-sample error row in the
// results says which input failed and why.
#include <stdexcept>
#include <string>

namespace pevlm::video {

class VideoError : public std::runtime_error {
 public:
  VideoError(const std::string& path, const std::string& what)
      : std::runtime_error("video '" + path + "': " + what), path_(path) {}
  // The file the error is about (as given by the caller).
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace pevlm::video
