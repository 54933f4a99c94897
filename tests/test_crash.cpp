// SIGKILL at many points of `lexicon build` (the real binary, the real content), full and incremental: afterwards
// site/ is always exactly the previous or exactly the new generation, its Xapian index opens with the matching
// document count, and the next build succeeds, gives the right site and removes the leftovers.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

#include <xapian.h>

#include "build_helpers.h"


using namespace testutil;

namespace {

using Clock = std::chrono::steady_clock;

struct Outcome {
  bool killed = false;  // false: the build finished before the signal
  int exit_code = -1;
  double seconds = 0;
};

// Starts a build of `content` into <dir>/site and, unless delay is negative, SIGKILLs it after `delay` seconds.
// Templates come from <dir>/templates, a copy, so the reference builds stay comparable for the whole test.
// Incremental (reusing the current generation and its build state) unless `clean`.
Outcome build(const fs::path& dir, const fs::path& content, double delay, bool clean = true) {
  std::vector<std::string> args = {LEXICON_BINARY, "--content", content.string(), "--site", (dir / "site").string(),
                                   "--templates", (dir / "templates").string(), "-j", "2", "build"};
  if (clean) args.push_back("--clean");
  auto start = Clock::now();
  pid_t pid = spawn_process(args);
  REQUIRE(pid > 0);
  if (delay >= 0) {
    std::this_thread::sleep_until(start + std::chrono::duration<double>(delay));
    ::kill(pid, SIGKILL);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  Outcome o;
  o.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  o.killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  if (WIFEXITED(status)) o.exit_code = WEXITSTATUS(status);
  return o;
}

// Two versions of the real content in tmp/content-a and tmp/content-b: B changes an entry and adds one (so the
// index has another document count).
void make_versions(const fs::path& tmp) {
  copy_tree(templates_dir(), tmp / "templates");
  copy_tree(source_dir() / "content", tmp / "content-a");
  copy_tree(source_dir() / "content", tmp / "content-b");
  fs::path presentie = tmp / "content-b/begrippen/presentie.md";
  REQUIRE(fs::exists(presentie));
  write_file(presentie, read_file(presentie) + "\nToegevoegd in versie B: kraakproef.\n");
  write_file(tmp / "content-b/begrippen/kraakproef.md",
             "---\ntitle: Kraakproef\nthemes: []\nsummary: Een begrip dat alleen in versie B bestaat.\n---\n"
             "Zie [[presentie]].\n");
}

// Names of the files that differ between two snapshots, for failure messages.
std::string differing(const std::map<std::string, std::string>& x, const std::map<std::string, std::string>& y) {
  std::string out;
  for (const auto& [k, v] : x)
    if (!y.count(k) || y.at(k) != v) out += k + (y.count(k) ? " (changed)\n" : " (only before)\n");
  for (const auto& [k, v] : y)
    if (!x.count(k)) out += k + " (only after)\n";
  return out.substr(0, 2000);
}

std::size_t doc_count(const fs::path& site) { return Xapian::Database((site / ".xapian").string()).get_doccount(); }

// An ordinary build after the kills: it succeeds, gives exactly `expected` and leaves nothing behind.
void build_and_check(const fs::path& dir, const fs::path& content, bool clean,
                     const std::map<std::string, std::string>& expected, std::size_t expected_docs) {
  auto next = build(dir, content, -1, clean);
  CHECK(next.exit_code == 0);
  auto after = snapshot(dir / "site", {".xapian"});
  CHECK_MESSAGE(after == expected, differing(expected, after));
  CHECK(doc_count(dir / "site") == expected_docs);
  auto left = leftovers(dir);
  CHECK_MESSAGE(left.empty(), (left.empty() ? std::string() : left.front()));
}

}  // namespace

TEST_CASE("crash: SIGKILL anywhere in a build leaves the complete previous or new site and index") {
  TempDir tmp("crash");
  const fs::path content_a = tmp / "content-a", content_b = tmp / "content-b";
  make_versions(tmp.path());

  // Reference generations, each built twice: the comparison needs byte-identical builds.
  std::map<std::string, std::string> gen[2];
  std::size_t docs[2] = {0, 0};
  const fs::path contents[2] = {content_a, content_b};
  std::vector<double> durations;
  for (int v : {1, 0}) {
    for (int round = 0; round < 2; ++round) {
      auto o = build(tmp.path(), contents[v], -1);
      REQUIRE(o.exit_code == 0);
      durations.push_back(o.seconds);
      auto snap = snapshot(tmp / "site", {".xapian"});
      if (round == 1) CHECK_MESSAGE(snap == gen[v], "builds are not byte-identical");
      gen[v] = std::move(snap);
    }
    docs[v] = doc_count(tmp / "site");
  }
  std::sort(durations.begin(), durations.end());
  const double full = (durations[1] + durations[2]) / 2;  // median of four builds
  REQUIRE(gen[0] != gen[1]);
  REQUIRE(docs[0] != docs[1]);
  MESSAGE("full build " << full << " s, " << gen[0].size() << " files, " << docs[0] << "/" << docs[1] << " documents");

  // 24 points spread over the whole run, then 10 that home in on the moment of the swap (the index is committed
  // just before it): bisection between the latest delay that left the old site and the earliest that gave the new
  // one, with random jitter (microseconds) so neighbouring instants are hit too.
  const std::size_t even_points = 24, swap_points = 10;
  std::vector<double> delays;
  for (std::size_t k = 0; k < even_points; ++k) delays.push_back(full * k / even_points);
  std::mt19937 rng(20261123);
  std::uniform_real_distribution<double> jitter(-0.002, 0.002);
  double lo = 0.7 * full, hi = 1.5 * full;

  int current = 0;  // the site now holds generation A
  int kills = 0, finished = 0, swapped = 0, attempts = 0;
  auto attempt = [&](double delay, bool bisecting) {
    int target = 1 - current;
    auto o = build(tmp.path(), contents[target], delay);
    CAPTURE(attempts);
    CAPTURE(delay);
    if (o.killed) ++kills;
    else {
      ++finished;
      CHECK(o.exit_code == 0);
    }
    auto snap = snapshot(tmp / "site", {".xapian"});
    bool is_old = snap == gen[current], is_new = snap == gen[target];
    REQUIRE_MESSAGE((is_old || is_new), "site/ is neither the old nor the new generation:\n" << differing(gen[current], snap));
    int now = is_new ? target : current;
    CHECK(doc_count(tmp / "site") == docs[now]);
    if (now != current) ++swapped;
    if (bisecting) (now == target ? hi : lo) = delay;
    current = now;
    // Every eighth attempt: an ordinary build succeeds and leaves nothing behind.
    if (++attempts % 8 == 0) {
      build_and_check(tmp.path(), contents[current], true, gen[current], docs[current]);
    }
  };
  for (double delay : delays) attempt(delay, false);
  for (std::size_t k = 0; k < swap_points; ++k) attempt(std::max(0.0, (lo + hi) / 2 + jitter(rng)), true);
  // On a busy machine some builds finish before their signal: more points early in the run until
  // 20 kills are reached (bounded).
  std::uniform_real_distribution<double> early(0.0, 0.6);
  for (int extra = 0; kills < 20 && extra < 30; ++extra) attempt(full * early(rng), false);
  {
    auto next = build(tmp.path(), contents[current], -1);  // and at the end
    CHECK(next.exit_code == 0);
    auto left = leftovers(tmp.path());
    CHECK_MESSAGE(left.empty(), (left.empty() ? std::string() : left.front()));
  }
  MESSAGE(kills << " kills survived, " << finished << " builds finished before the signal, " << swapped
                << " times the new generation was in place");
  CHECK(kills >= 20);
  MESSAGE("the swap happened between " << lo << " s and " << hi << " s after the start");
  CHECK(swapped >= 1);
}

TEST_CASE("crash: SIGKILL anywhere in an incremental build leaves the previous or new site, and the next build is right") {
  TempDir tmp("crash-incremental");
  make_versions(tmp.path());
  const fs::path contents[2] = {tmp / "content-a", tmp / "content-b"};
  // References from clean builds (incremental builds equal them byte for byte: tests/test_incremental.cpp).
  std::map<std::string, std::string> gen[2];
  std::size_t docs[2] = {0, 0};
  for (int v : {1, 0}) {
    REQUIRE(build(tmp.path(), contents[v], -1).exit_code == 0);
    gen[v] = snapshot(tmp / "site", {".xapian"});
    docs[v] = doc_count(tmp / "site");
  }
  REQUIRE(gen[0] != gen[1]);
  // How long an incremental switch takes here (A -> B -> A), to spread the kill points over it.
  std::vector<double> durations;
  for (int v : {1, 0}) {
    auto o = build(tmp.path(), contents[v], -1, false);
    REQUIRE(o.exit_code == 0);
    durations.push_back(o.seconds);
    CHECK(snapshot(tmp / "site", {".xapian"}) == gen[v]);
  }
  const double incremental = std::max(durations[0], durations[1]);
  MESSAGE("incremental switch " << incremental << " s");

  std::mt19937 rng(20261124);
  std::uniform_real_distribution<double> fraction(0.0, 1.1);
  int current = 0, kills = 0, swapped = 0;
  for (int attempt = 0; attempt < 40 && kills < 12; ++attempt) {
    CAPTURE(attempt);
    int target = 1 - current;
    double delay = incremental * fraction(rng);
    CAPTURE(delay);
    auto o = build(tmp.path(), contents[target], delay, false);
    if (o.killed) ++kills;
    else CHECK(o.exit_code == 0);
    auto snap = snapshot(tmp / "site", {".xapian"});
    bool is_old = snap == gen[current], is_new = snap == gen[target];
    REQUIRE_MESSAGE((is_old || is_new), "site/ is neither the old nor the new generation:\n" << differing(gen[current], snap));
    int now = is_new ? target : current;
    CHECK(doc_count(tmp / "site") == docs[now]);
    swapped += now != current;
    // The build state left behind must not mislead the next incremental build: it gives exactly the
    // clean build of whichever version it is asked for.
    int next_version = attempt % 2 == 0 ? now : 1 - now;
    build_and_check(tmp.path(), contents[next_version], false, gen[next_version], docs[next_version]);
    current = next_version;
  }
  MESSAGE(kills << " incremental builds killed, " << swapped << " times the new generation was already in place");
  CHECK(kills >= 12);
}
