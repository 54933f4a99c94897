#pragma once
// Helpers shared by the tests: temporary directories, file I/O, tree hashing, running the CLI.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace testutil {

namespace fs = std::filesystem;

// A fresh directory under the system temp dir, removed on destruction.
class TempDir {
 public:
  explicit TempDir(const std::string& tag = "t") {
    static std::atomic<int> counter{0};
    std::random_device rd;
    path_ = fs::temp_directory_path() /
            ("lexicon-test-" + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
             std::to_string(rd()));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& rel) const { return path_ / rel; }

 private:
  fs::path path_;
};

inline void write_file(const fs::path& path, const std::string& content) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

inline std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// All regular files under root (relative generic path -> bytes), skipping names starting
// with any of `skip_prefixes` at any level.
inline std::map<std::string, std::string> snapshot(const fs::path& root, const std::vector<std::string>& skip = {}) {
  std::map<std::string, std::string> out;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
    std::string name = it->path().filename().string();
    // The build state (.lexicon/build-state) records when and from what a generation was built
    // (stat times, paths): it is no output, so two builds of the same content may differ there.
    bool skipped = name == "build-state";
    for (const auto& s : skip) skipped = skipped || name == s;
    if (skipped) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file()) out[fs::relative(it->path(), root).generic_string()] = read_file(it->path());
  }
  return out;
}

// Hidden siblings of site/ that a finished build should not leave: staging, retired and index
// directories and temporary files. ".site.spare" is left on purpose (the previous generation, kept for
// the next build to recycle).
inline std::vector<std::string> leftovers(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    // The spare and the lock file stay by design (removing a lock file would race with a waiting build).
    if ((name.starts_with(".site.") && name != ".site.spare" && name != ".site.lock") || name.find(".tmp-") != std::string::npos) {
      out.push_back(name);
    }
  }
  return out;
}

inline void copy_tree(const fs::path& from, const fs::path& to) {
  fs::create_directories(to);
  fs::copy(from, to, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
}

inline std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs a shell command line in `cwd`, capturing stdout and stderr.
inline RunResult run(const std::string& command, const fs::path& cwd, const fs::path& scratch) {
  fs::path out = scratch / "stdout.txt", err = scratch / "stderr.txt";
  std::string line = "cd " + shell_quote(cwd.string()) + " && " + command + " >" + shell_quote(out.string()) +
                     " 2>" + shell_quote(err.string());
  int status = std::system(line.c_str());
  RunResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = fs::exists(out) ? read_file(out) : "";
  r.err = fs::exists(err) ? read_file(err) : "";
  return r;
}

// Starts args[0] (a path) as a child with stdout to /dev/null and stderr to `stderr_path`;
// returns its pid, or -1 when it could not be started.
inline pid_t spawn_process(std::vector<std::string> args, const std::string& stderr_path = "/dev/null") {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace testutil
