#pragma once
// Progress of a long build on stderr: nothing for the first second, then a bar on a terminal
// (redrawn in place, erased at the end) or a plain line every few seconds otherwise (CI logs).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <thread>

namespace lexicon {

class Progress {
 public:
  explicit Progress(bool enabled);
  ~Progress();  // erases the bar, so diagnostics and --timings follow on a clean line
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // A new stage ("inlezen", "pagina's", ...); `done`/`total` count its work when known.
  void stage(const std::string& name, const std::atomic<std::size_t>* done = nullptr,
             const std::atomic<std::size_t>* total = nullptr);
  void finish();

 private:
  void run();
  void draw(bool final_line);

  bool enabled_ = false;
  bool terminal_ = false;
  std::chrono::steady_clock::time_point start_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  bool drawn_ = false;
  std::string stage_;
  const std::atomic<std::size_t>* done_ = nullptr;
  const std::atomic<std::size_t>* total_ = nullptr;
  std::thread thread_;
};

// The bar itself (for tests): "[#####.....]  50% pagina's 500/1000".
std::string progress_line(const std::string& stage, std::size_t done, std::size_t total, double seconds, int width);

}  // namespace lexicon
