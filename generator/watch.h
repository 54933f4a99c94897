#pragma once
// `lexicon serve --watch`: rebuild (incrementally) when content/ or templates/ change, and tell open
// pages over server-sent events (/_live/events) to reload, or to show the content errors as an
// overlay. The server adds the small client script to HTML responses in watch mode only, so the
// built files stay exactly what `lexicon build` writes.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <cstdint>
#include <mutex>
#include <string>

#include "build.h"
#include "server.h"

namespace httplib {
struct Response;
}

namespace lexicon {

// The latest build outcome, shared by the watcher (writer) and the event streams (readers).
class LiveReload {
 public:
  // A build succeeded (and changed the site, or cleared earlier errors): pages reload.
  void built();
  // A build failed: pages show these diagnostics.
  void failed(const Diagnostics& diagnostics);
  // The current event as JSON: {"type":"ok"|"errors","version":N,"diagnostics":[...]}.
  std::string event() const;
  std::uint64_t version() const;
  // Waits until the version differs from `seen` or the timeout passes; returns the version now.
  std::uint64_t wait(std::uint64_t seen, std::chrono::milliseconds timeout) const;
  void stop();
  bool stopped() const;

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::uint64_t version_ = 1;
  bool errors_ = false;
  std::string diagnostics_json_ = "[]";
  bool stopped_ = false;
};

// Answers GET /_live/events with an event stream: the current state at once, then every change.
void serve_live_events(const std::shared_ptr<LiveReload>& live, httplib::Response& res);

// Inserts the live-reload client before </body> (or at the end). `prefix` is the site's URL path.
// `version`: LiveReload::version() when the page was served (a build finished before the page's
// event stream connected still reloads it).
std::string inject_live_script(std::string html, const std::string& prefix, std::uint64_t version);

// Watches content/ and templates/ (inotify, recursive) and rebuilds after each burst of changes
// (debounced), until live.stop(). Prints one line per rebuild on stderr.
void watch_and_rebuild(const BuildOptions& options, LiveReload& live);

// `serve --watch`: a first build, then the server and the watcher together.
int run_watch_server(ServeOptions serve, BuildOptions build);

}  // namespace lexicon
