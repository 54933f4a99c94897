#include "progress.h"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

namespace lexicon {

namespace {
constexpr auto quiet_period = std::chrono::seconds(1);     // short builds show nothing
constexpr auto redraw_period = std::chrono::milliseconds(100);
constexpr auto line_period = std::chrono::seconds(5);      // without a terminal: one line per 5 s
}  // namespace

std::string progress_line(const std::string& stage, std::size_t done, std::size_t total, double seconds, int width) {
  std::string out;
  if (total > 0) {
    std::size_t filled = std::min<std::size_t>(static_cast<std::size_t>(width), done * static_cast<std::size_t>(width) / total);
    out = "[" + std::string(filled, '#') + std::string(static_cast<std::size_t>(width) - filled, '.') + "] ";
    out += fmt::format("{:3}% {} {}/{}", done * 100 / total, stage, done, total);
  } else {
    out = fmt::format("{}…", stage);
  }
  out += fmt::format(" ({:.1f} s)", seconds);
  return out;
}

Progress::Progress(bool enabled) : enabled_(enabled), start_(std::chrono::steady_clock::now()) {
  if (!enabled_) return;
  terminal_ = ::isatty(STDERR_FILENO) == 1;
  thread_ = std::thread([this] { run(); });
}

Progress::~Progress() { finish(); }

void Progress::stage(const std::string& name, const std::atomic<std::size_t>* done, const std::atomic<std::size_t>* total) {
  if (!enabled_) return;
  std::lock_guard lock(mutex_);
  stage_ = name;
  done_ = done;
  total_ = total;
}

void Progress::finish() {
  if (!enabled_ || !thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
  if (terminal_ && drawn_) std::fputs("\r\033[K", stderr);  // erase the bar
  std::fflush(stderr);
}

void Progress::draw(bool final_line) {
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::size_t done = done_ ? done_->load() : 0, total = total_ ? total_->load() : 0;
  std::string line = progress_line(stage_, done, total, seconds, terminal_ ? 30 : 20);
  if (terminal_) std::fprintf(stderr, "\r\033[K%s", line.c_str());
  else std::fprintf(stderr, "lexicon: %s\n", line.c_str());
  (void)final_line;
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::run() {
  std::unique_lock lock(mutex_);
  if (wake_.wait_for(lock, quiet_period, [this] { return stop_; })) return;
  auto last_line = std::chrono::steady_clock::now() - line_period;
  while (!stop_) {
    auto now = std::chrono::steady_clock::now();
    if (terminal_ || now - last_line >= line_period) {
      draw(false);
      last_line = now;
    }
    wake_.wait_for(lock, redraw_period, [this] { return stop_; });
  }
}

}  // namespace lexicon
