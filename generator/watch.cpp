#include "watch.h"

#include <poll.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <thread>

#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

namespace fs = std::filesystem;

namespace lexicon {

// --- state shared with the event streams -----------------------------------------------------

void LiveReload::built() {
  {
    std::lock_guard lock(mutex_);
    ++version_;
    errors_ = false;
    diagnostics_json_ = "[]";
  }
  changed_.notify_all();
}

void LiveReload::failed(const Diagnostics& diagnostics) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& d : diagnostics.items) {
    list.push_back({{"path", d.path},
                    {"line", d.line},
                    {"column", d.column},
                    {"severity", d.severity == Severity::error ? "error" : "warning"},
                    {"message", d.message},
                    {"text", format_diagnostic(d, DiagnosticFormat::text, false)}});
  }
  {
    std::lock_guard lock(mutex_);
    ++version_;
    errors_ = true;
    diagnostics_json_ = list.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  changed_.notify_all();
}

std::string LiveReload::event() const {
  std::lock_guard lock(mutex_);
  return fmt::format(R"({{"type":"{}","version":{},"diagnostics":{}}})", errors_ ? "errors" : "ok", version_, diagnostics_json_);
}

std::uint64_t LiveReload::wait(std::uint64_t seen, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, timeout, [&] { return version_ != seen || stopped_; });
  return version_;
}

void LiveReload::stop() {
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
  }
  changed_.notify_all();
}

bool LiveReload::stopped() const {
  std::lock_guard lock(mutex_);
  return stopped_;
}

void serve_live_events(const std::shared_ptr<LiveReload>& live, httplib::Response& res) {
  res.set_header("Cache-Control", "no-cache");
  res.set_header("X-Accel-Buffering", "no");
  auto seen = std::make_shared<std::uint64_t>(0);
  res.set_chunked_content_provider("text/event-stream", [live, seen](std::size_t, httplib::DataSink& sink) {
    if (live->stopped()) return false;
    std::string message;
    if (*seen == 0) {
      *seen = live->version();
      message = "retry: 500\ndata: " + live->event() + "\n\n";  // the state now: a new page may need the overlay
    } else {
      // Wake up now and then: a comment line keeps proxies from closing an idle stream and shows
      // whether the reader is still there.
      std::uint64_t now = live->wait(*seen, std::chrono::seconds(2));
      if (live->stopped()) return false;
      if (now != *seen) {
        *seen = now;
        message = "data: " + live->event() + "\n\n";
      } else {
        message = ": \n\n";
      }
    }
    return sink.write(message.data(), message.size());
  });
}

std::uint64_t LiveReload::version() const {
  std::lock_guard lock(mutex_);
  return version_;
}

std::string inject_live_script(std::string html, const std::string& prefix, std::uint64_t version) {
  // The overlay's text is set with textContent only: diagnostics quote the editor's own text.
  std::string script = R"(<script>(function () {
  var first = )" + std::to_string(version) + R"(, box = null;
  function overlay(list) {
    if (!box) {
      box = document.createElement("div");
      box.id = "lexicon-live-fouten";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:0;z-index:99999;overflow:auto;background:rgba(20,20,20,.94);" +
        "color:#fff;font:15px/1.5 monospace;padding:2em;white-space:pre-wrap";
      document.body.appendChild(box);
    }
    box.textContent = "";
    var h = document.createElement("h2");
    h.textContent = "De inhoud heeft fouten; de site toont nog de vorige versie.";
    box.appendChild(h);
    list.forEach(function (d) {
      var p = document.createElement("p");
      p.className = "lexicon-live-fout";
      p.textContent = d.text;
      box.appendChild(p);
    });
  }
  var events = new EventSource(")" + prefix + R"(_live/events");
  events.onmessage = function (m) {
    var e = JSON.parse(m.data);
    if (e.type === "errors") overlay(e.diagnostics);
    else if (e.version !== first) location.reload();
    else if (box) { box.remove(); box = null; }
  };
})();</script>)";
  auto body = html.rfind("</body>");
  if (body == std::string::npos) return html + script;
  html.insert(body, script);
  return html;
}

// --- watching --------------------------------------------------------------------------------

namespace {

class Inotify {
 public:
  Inotify() : fd_(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {}
  ~Inotify() {
    if (fd_ >= 0) ::close(fd_);
  }
  Inotify(const Inotify&) = delete;
  Inotify& operator=(const Inotify&) = delete;
  bool ok() const { return fd_ >= 0; }

  // Watches `dir` and every directory below it.
  void add_tree(const fs::path& dir) {
    add(dir);
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_directory(ec)) add(it->path());
    }
  }

  // Waits up to `timeout` for events; true when something under the watched trees changed.
  bool wait(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
    alignas(inotify_event) char buf[16384];
    bool changed = false;
    for (;;) {
      ssize_t n = ::read(fd_, buf, sizeof buf);
      if (n <= 0) break;
      for (char* p = buf; p < buf + n;) {
        auto* e = reinterpret_cast<inotify_event*>(p);
        p += sizeof(inotify_event) + e->len;
        if (e->mask & IN_Q_OVERFLOW) {
          changed = true;
          continue;
        }
        auto dir = dirs_.find(e->wd);
        if (dir == dirs_.end()) continue;
        fs::path path = e->len ? dir->second / e->name : dir->second;
        if ((e->mask & IN_ISDIR) && (e->mask & (IN_CREATE | IN_MOVED_TO))) add_tree(path);  // a new folder
        changed = true;
      }
    }
    return changed;
  }

 private:
  void add(const fs::path& dir) {
    int wd = ::inotify_add_watch(fd_, dir.c_str(),
                                 IN_CLOSE_WRITE | IN_MODIFY | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO |
                                     IN_ATTRIB | IN_DELETE_SELF | IN_ONLYDIR);
    if (wd >= 0) dirs_[wd] = dir;
  }

  int fd_ = -1;
  std::map<int, fs::path> dirs_;
};

// One rebuild; tells the pages. Never throws.
void rebuild(const BuildOptions& options, LiveReload& live, bool& had_errors) {
  auto start = std::chrono::steady_clock::now();
  try {
    BuildReport report = run_build(options, false);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (report.exit_code != 0) {
      std::cerr << format_all(report.diagnostics, DiagnosticFormat::text);
      std::cerr << fmt::format("lexicon: fouten in de inhoud; de site blijft de vorige versie ({:.2f} s)\n", seconds);
      live.failed(report.diagnostics);
      had_errors = true;
      return;
    }
    if (report.unchanged) {
      std::cerr << fmt::format("lexicon: niets veranderd ({:.2f} s)\n", seconds);
    } else {
      std::cerr << fmt::format("lexicon: bijgewerkt: {} opnieuw gemaakt, {} ongewijzigd ({:.2f} s)\n", report.rendered,
                               report.reused, seconds);
    }
    if (!report.unchanged || had_errors) live.built();
    had_errors = false;
    // What the build made (report.leftovers) is freed only now, after the pages were told to reload.
  } catch (const std::exception& e) {
    std::cerr << fmt::format("lexicon: error: {}\n", e.what());
    Diagnostics d;
    d.error(options.site_dir.generic_string(), 0, 0, e.what());
    live.failed(d);
    had_errors = true;
  }
}

}  // namespace

void watch_and_rebuild(const BuildOptions& options, LiveReload& live) {
  Inotify inotify;
  if (!inotify.ok()) {
    std::cerr << "lexicon: error: inotify is niet beschikbaar; --watch werkt niet\n";
    return;
  }
  inotify.add_tree(options.content_dir);
  inotify.add_tree(options.templates_dir);
  bool had_errors = false;
  while (!live.stopped()) {
    // Generations retired by a rebuild are deleted by a background `rm` (detach_cleanup); collect those
    // that have finished so they do not stay behind as zombies for as long as the server runs.
    while (::waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    if (!inotify.wait(std::chrono::milliseconds(250))) continue;
    // Debounce: an editor's save, `git checkout` or a script writes several files in a burst; build
    // once it has been quiet for 50 ms (at most 1 s after the first change).
    auto first = std::chrono::steady_clock::now();
    while (inotify.wait(std::chrono::milliseconds(50)) && std::chrono::steady_clock::now() - first < std::chrono::seconds(1)) {
    }
    rebuild(options, live, had_errors);
  }
}

int run_watch_server(ServeOptions serve, BuildOptions build) {
  auto live = std::make_shared<LiveReload>();
  serve.live = live;
  build.progress = true;
  // A retired generation of a large lexicon can take minutes to delete on a slow disk (30,000 files:
  // 100 s here); in the foreground that would hold up the reload of every open page.
  build.detach_cleanup = true;
  bool had_errors = false;
  rebuild(build, *live, had_errors);  // the site as the content is now (incremental: usually quick)
  build.progress = false;
  std::thread watcher([&] { watch_and_rebuild(build, *live); });
  std::cerr << fmt::format("lexicon: bewaakt {}/ en {}/; open pagina's laden opnieuw na elke wijziging\n",
                           build.content_dir.generic_string(), build.templates_dir.generic_string());
  int code = run_server(serve);
  live->stop();
  watcher.join();
  return code;
}

}  // namespace lexicon
