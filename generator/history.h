#pragma once
// Git history of the entries (libgit2): who changed which entry when, following renames, plus the
// entries renamed or removed in the past. Read once per build by walking the first-parent history
// a single time (each commit diffed against its first parent with rename detection), so the cost
// grows with the number of commits, not with commits x entries.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace lexicon {

// Keeps libgit2 initialised while it lives (nested ones are counted). Initialising it reads the system's
// certificates (5 ms): a build holds one throughout, so its git reads do not each pay for that.
class GitLibrary {
 public:
  GitLibrary();
  ~GitLibrary();
  GitLibrary(const GitLibrary&) = delete;
  GitLibrary& operator=(const GitLibrary&) = delete;
};

struct Revision {
  std::string id;        // full hex commit id
  std::string short_id;  // first 7 hex digits
  std::int64_t time = 0; // committer time, seconds since the epoch
  int offset = 0;        // committer's UTC offset in minutes
  std::string author;    // author name
  std::string subject;   // first line of the message
};

// Dates are shown in the committer's own time zone, so they do not depend on the build machine.
std::string iso_date(const Revision& r);    // 2024-05-03
std::string dutch_date(const Revision& r);  // 3 mei 2024
std::string rfc3339(const Revision& r);     // 2024-05-03T14:02:11+02:00
int year_of(const Revision& r);
int month_of(const Revision& r);            // 1..12
int day_of(const Revision& r);

struct EntryHistory {
  std::vector<std::size_t> revisions;  // indexes into ContentHistory::commits, newest first
  bool local_changes = false;          // working file differs from HEAD, or is not committed at all
};

struct RemovedEntry {
  std::string slug;
  std::string title;                  // from the last committed version ("" if unreadable)
  std::vector<std::string> related;   // its `related` names, as written
  std::size_t removed_in = 0;         // index into commits
};

struct Change {
  std::size_t commit = 0;  // index into commits
  std::string slug;        // current slug (or the removed slug)
  enum Kind { added, changed, renamed, removed } kind = changed;
  std::string old_slug;    // for renames
};

struct ContentHistory {
  bool available = false;   // content/ lies in a git work tree whose HEAD has commits
  std::string note;         // why not available (for a message on stderr), "" otherwise
  std::vector<Revision> commits;                // first-parent walk from HEAD, newest first
  std::map<std::string, EntryHistory> entries;  // current slug -> history (every slug asked for)
  std::map<std::string, std::string> renamed;   // old slug -> current slug
  std::vector<RemovedEntry> removed;            // sorted by slug
  std::vector<Change> changes;                  // entry changes, newest commit first

  const EntryHistory* find(const std::string& slug) const {
    auto it = entries.find(slug);
    return it == entries.end() ? nullptr : &it->second;
  }
};

// An earlier result of load_history, made when git's HEAD and index were what they are now (the caller
// checks that: BuildEnvironment), and the entries whose files changed since. Its commits, renames and
// removals still hold; only the changed files' working-tree status is asked for again. Used only when it
// has exactly the slugs asked for.
struct KnownHistory {
  ContentHistory history;
  std::vector<std::string> changed;  // slugs
};

// Reads the history of content_dir/begrippen/<slug>.md for every slug. Never throws for git
// problems: outside a repository (or on any libgit2 error) it returns available = false. `known`
// (optional, consumed) spares the status of every file and the walk over all commits.
ContentHistory load_history(const std::filesystem::path& content_dir, const std::vector<std::string>& slugs,
                            KnownHistory* known = nullptr);

}  // namespace lexicon
