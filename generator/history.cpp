#include "history.h"

#include <algorithm>
#include <ctime>
#include <memory>
#include <optional>
#include <set>

#include <fmt/format.h>
#include <git2.h>

#include "content.h"
#include "diagnostics.h"

namespace fs = std::filesystem;

namespace lexicon {

namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const {
    if (p) Free(p);
  }
};
template <typename T, void (*Free)(T*)>
using Owned = std::unique_ptr<T, Deleter<T, Free>>;

using Repo = Owned<git_repository, git_repository_free>;
using Walk = Owned<git_revwalk, git_revwalk_free>;
using Commit = Owned<git_commit, git_commit_free>;
using Tree = Owned<git_tree, git_tree_free>;
using Diff = Owned<git_diff, git_diff_free>;
using Blob = Owned<git_blob, git_blob_free>;
using StatusList = Owned<git_status_list, git_status_list_free>;

// libgit2 keeps global state; init/shutdown are reference counted, so scope them to one call.

std::string last_error(const char* what) {
  const git_error* e = git_error_last();
  return fmt::format("{}: {}", what, e && e->message ? e->message : "onbekende fout");
}

std::tm local_tm(const Revision& r) {
  std::time_t t = static_cast<std::time_t>(r.time + static_cast<std::int64_t>(r.offset) * 60);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm;
}

// "content/begrippen/x.md" -> "x" when under prefix and a Markdown file, else "".
std::string slug_of(const std::string& path, const std::string& prefix) {
  if (!path.starts_with(prefix)) return {};
  std::string rest = path.substr(prefix.size());
  if (rest.find('/') != std::string::npos || !rest.ends_with(".md") || rest.size() <= 3) return {};
  return rest.substr(0, rest.size() - 3);
}

Revision revision_of(git_commit* c) {
  Revision r;
  char hex[GIT_OID_HEXSZ + 1] = {};
  git_oid_tostr(hex, sizeof hex, git_commit_id(c));
  r.id = hex;
  r.short_id = r.id.substr(0, 7);
  r.time = static_cast<std::int64_t>(git_commit_time(c));
  r.offset = git_commit_time_offset(c);
  const git_signature* author = git_commit_author(c);
  r.author = author && author->name ? author->name : "";
  const char* summary = git_commit_summary(c);
  r.subject = summary ? summary : "";
  return r;
}

// Title and related names of a deleted entry, from its last committed text.
void read_removed(git_repository* repo, const git_oid* blob_id, RemovedEntry& out) {
  git_blob* raw = nullptr;
  if (git_blob_lookup(&raw, repo, blob_id) != 0) return;
  Blob blob(raw);
  auto size = static_cast<std::size_t>(git_blob_rawsize(blob.get()));
  if (size > max_file_bytes) return;
  std::string text(static_cast<const char*>(git_blob_rawcontent(blob.get())), size);
  Diagnostics ignored;  // an old version's problems are not today's problems
  Document d = parse_document(out.slug + ".md", out.slug, std::move(text), true, ignored);
  out.title = d.title;
  out.related = d.related;
}

}  // namespace

GitLibrary::GitLibrary() { git_libgit2_init(); }
GitLibrary::~GitLibrary() { git_libgit2_shutdown(); }

std::string iso_date(const Revision& r) {
  std::tm tm = local_tm(r);
  return fmt::format("{:04}-{:02}-{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

std::string dutch_date(const Revision& r) {
  static const char* const months[] = {"januari", "februari", "maart",     "april",   "mei",      "juni",
                                       "juli",    "augustus", "september", "oktober", "november", "december"};
  std::tm tm = local_tm(r);
  return fmt::format("{} {} {}", tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900);
}

std::string rfc3339(const Revision& r) {
  std::tm tm = local_tm(r);
  int off = r.offset;
  char sign = off < 0 ? '-' : '+';
  off = off < 0 ? -off : off;
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}{:02}:{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, sign, off / 60, off % 60);
}

int year_of(const Revision& r) { return local_tm(r).tm_year + 1900; }
int month_of(const Revision& r) { return local_tm(r).tm_mon + 1; }
int day_of(const Revision& r) { return local_tm(r).tm_mday; }

namespace {

bool same_slugs(const ContentHistory& h, const std::vector<std::string>& slugs) {
  if (h.entries.size() != slugs.size()) return false;
  for (const auto& s : slugs) {
    if (!h.entries.count(s)) return false;
  }
  return true;
}

// Whether a file differs from HEAD or the index, from their blob ids and the file's own, or null when
// only git's full status can say (a filter such as autocrlf applies, or anything but a plain file).
// git_status_file walks the whole folder: 35-80 ms at 10,000 entries, this one lookup each.
std::optional<bool> differs_from_head(git_repository* repo, git_index* index, git_tree* head, const std::string& path,
                                      const fs::path& file) {
  git_filter_list* filters = nullptr;
  if (git_filter_list_load(&filters, repo, nullptr, path.c_str(), GIT_FILTER_TO_ODB, GIT_FILTER_DEFAULT) != 0) return std::nullopt;
  if (filters) {
    git_filter_list_free(filters);
    return std::nullopt;
  }
  std::error_code ec;
  auto status = fs::symlink_status(file, ec);
  if (ec || !fs::is_regular_file(status)) return std::nullopt;
  if ((status.permissions() & fs::perms::owner_exec) != fs::perms::none) return std::nullopt;
  const git_index_entry* staged = git_index_get_bypath(index, path.c_str(), 0);
  if (!staged) return true;  // not in the index (new, or removed from it)
  if (staged->mode != GIT_FILEMODE_BLOB ||
      (staged->flags_extended & (GIT_INDEX_ENTRY_SKIP_WORKTREE | GIT_INDEX_ENTRY_INTENT_TO_ADD)) != 0) {
    return std::nullopt;
  }
  git_tree_entry* raw_committed = nullptr;
  if (git_tree_entry_bypath(&raw_committed, head, path.c_str()) != 0) return true;  // not in HEAD
  Owned<git_tree_entry, git_tree_entry_free> committed(raw_committed);
  if (git_tree_entry_filemode(committed.get()) != GIT_FILEMODE_BLOB) return std::nullopt;
  git_oid on_disk;
  if (git_odb_hashfile(&on_disk, file.c_str(), GIT_OBJECT_BLOB) != 0) return std::nullopt;
  return !git_oid_equal(git_tree_entry_id(committed.get()), &staged->id) || !git_oid_equal(&staged->id, &on_disk);
}

// The known history with the status of its changed entries asked again, or null when git cannot say.
// A file's status depends only on HEAD, the index and the file itself: the first two are as they were.
std::optional<ContentHistory> refreshed(git_repository* repo, const std::string& prefix, const fs::path& workdir,
                                        KnownHistory& known) {
  ContentHistory h = std::move(known.history);
  if (known.changed.empty()) return h;
  git_index* raw_index = nullptr;
  if (git_repository_index(&raw_index, repo) != 0) return std::nullopt;
  Owned<git_index, git_index_free> index(raw_index);
  git_object* raw_head = nullptr;
  if (git_revparse_single(&raw_head, repo, "HEAD^{tree}") != 0) return std::nullopt;
  Owned<git_object, git_object_free> head(raw_head);
  for (const auto& slug : known.changed) {
    auto it = h.entries.find(slug);
    if (it == h.entries.end()) continue;
    const std::string path = prefix + slug + ".md";
    std::optional<bool> local = differs_from_head(repo, index.get(), reinterpret_cast<git_tree*>(head.get()), path, workdir / path);
    if (!local) {
      unsigned int status = 0;
      if (git_status_file(&status, repo, path.c_str()) != 0) return std::nullopt;
      // As in the full read below: ignored or current is no local change.
      local = status != GIT_STATUS_CURRENT && !(status & GIT_STATUS_IGNORED);
    }
    // An entry never committed is a local change whatever git says.
    it->second.local_changes = it->second.revisions.empty() || *local;
  }
  return h;
}

}  // namespace

ContentHistory load_history(const fs::path& content_dir, const std::vector<std::string>& slugs, KnownHistory* known) {
  ContentHistory h;
  for (const auto& s : slugs) h.entries[s];
  GitLibrary git;

  git_repository* raw_repo = nullptr;
  std::error_code ec;
  fs::path content_abs = fs::canonical(content_dir, ec);
  if (ec) {
    h.note = "inhoudsmap niet gevonden";
    return h;
  }
  if (int rc = git_repository_open_ext(&raw_repo, content_abs.c_str(), 0, nullptr); rc != 0) {
    // Not found is the normal case outside git; anything else (e.g. a repository owned by another
    // user) is worth telling the editor about.
    h.note = rc == GIT_ENOTFOUND ? "geen git-repository" : last_error("git");
    return h;
  }
  Repo repo(raw_repo);
  const char* workdir = git_repository_workdir(repo.get());
  if (!workdir) {
    h.note = "kale git-repository zonder werkmap";
    return h;
  }
  fs::path root = fs::canonical(workdir, ec);
  fs::path rel = content_abs.lexically_relative(root);
  if (ec || rel.empty() || *rel.begin() == "..") {
    h.note = "inhoudsmap ligt buiten de git-werkmap";
    return h;
  }
  std::string content_prefix = rel == "." ? std::string() : rel.generic_string() + "/";
  std::string prefix = content_prefix + "begrippen/";
  std::string spec = content_prefix + "begrippen";
  char* spec_ptr = spec.data();
  git_strarray pathspec{&spec_ptr, 1};

  if (known && known->history.available && same_slugs(known->history, slugs)) {
    if (auto h_known = refreshed(repo.get(), prefix, root, *known)) return std::move(*h_known);
  }

  // Working-tree state first: an entry that is new or edited but not committed says so on its page.
  {
    git_status_options so = GIT_STATUS_OPTIONS_INIT;
    so.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
    so.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS;
    so.pathspec = pathspec;
    git_status_list* raw_status = nullptr;
    if (git_status_list_new(&raw_status, repo.get(), &so) == 0) {
      StatusList status(raw_status);
      for (std::size_t i = 0, n = git_status_list_entrycount(status.get()); i < n; ++i) {
        const git_status_entry* e = git_status_byindex(status.get(), i);
        if (!e || e->status == GIT_STATUS_CURRENT || (e->status & GIT_STATUS_IGNORED)) continue;
        for (const git_diff_delta* d : {e->head_to_index, e->index_to_workdir}) {
          if (!d) continue;
          for (const char* p : {d->old_file.path, d->new_file.path}) {
            if (!p) continue;
            auto it = h.entries.find(slug_of(p, prefix));
            if (it != h.entries.end()) it->second.local_changes = true;
          }
        }
      }
    }
  }

  git_revwalk* raw_walk = nullptr;
  if (git_revwalk_new(&raw_walk, repo.get()) != 0) {
    h.note = last_error("git");
    return h;
  }
  Walk walk(raw_walk);
  if (git_revwalk_push_head(walk.get()) != 0) {
    // An unborn branch (git init, nothing committed yet): everything is unpublished.
    h.available = true;
    for (auto& [slug, e] : h.entries) e.local_changes = true;
    return h;
  }
  h.available = true;
  // First parent only: on a merge-based workflow the merge is the moment a change reached main.
  git_revwalk_sorting(walk.get(), GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
  git_revwalk_simplify_first_parent(walk.get());

  // Walking back in time, `tracked` maps the path an entry had at that point to its current slug.
  std::map<std::string, std::string> tracked;
  for (const auto& s : slugs) tracked[prefix + s + ".md"] = s;
  std::set<std::string> current(slugs.begin(), slugs.end());
  std::set<std::string> removed_seen;

  git_oid oid;
  while (git_revwalk_next(&oid, walk.get()) == 0) {
    git_commit* raw_commit = nullptr;
    if (git_commit_lookup(&raw_commit, repo.get(), &oid) != 0) break;
    Commit commit(raw_commit);
    git_tree* raw_tree = nullptr;
    if (git_commit_tree(&raw_tree, commit.get()) != 0) break;
    Tree tree(raw_tree);
    Tree parent_tree;
    Commit parent;
    if (git_commit_parentcount(commit.get()) > 0) {
      git_commit* raw_parent = nullptr;
      // A missing parent (shallow clone) is treated as the start of history.
      if (git_commit_parent(&raw_parent, commit.get(), 0) == 0) {
        parent.reset(raw_parent);
        git_tree* raw_ptree = nullptr;
        if (git_commit_tree(&raw_ptree, parent.get()) == 0) parent_tree.reset(raw_ptree);
      }
    }
    git_diff_options dopts = GIT_DIFF_OPTIONS_INIT;
    dopts.pathspec = pathspec;
    git_diff* raw_diff = nullptr;
    if (git_diff_tree_to_tree(&raw_diff, repo.get(), parent_tree.get(), tree.get(), &dopts) != 0) continue;
    Diff diff(raw_diff);
    std::size_t n = git_diff_num_deltas(diff.get());
    if (n == 0) continue;
    git_diff_find_options fopts = GIT_DIFF_FIND_OPTIONS_INIT;
    fopts.flags = GIT_DIFF_FIND_RENAMES;
    git_diff_find_similar(diff.get(), &fopts);
    n = git_diff_num_deltas(diff.get());

    std::size_t index = h.commits.size();
    bool used = false;
    for (std::size_t i = 0; i < n; ++i) {
      const git_diff_delta* d = git_diff_get_delta(diff.get(), i);
      std::string old_path = d->old_file.path ? d->old_file.path : "";
      std::string new_path = d->new_file.path ? d->new_file.path : "";
      switch (d->status) {
        case GIT_DELTA_MODIFIED:
        case GIT_DELTA_TYPECHANGE:
        case GIT_DELTA_ADDED:
        case GIT_DELTA_RENAMED:
        case GIT_DELTA_COPIED: {
          auto it = tracked.find(new_path);
          if (it == tracked.end()) break;
          std::string slug = it->second;
          h.entries[slug].revisions.push_back(index);
          used = true;
          Change change{index, slug, Change::changed, {}};
          if (d->status == GIT_DELTA_ADDED || d->status == GIT_DELTA_COPIED) {
            change.kind = Change::added;
            tracked.erase(it);  // older commits at this path belong to another file
          } else if (d->status == GIT_DELTA_RENAMED) {
            change.kind = Change::renamed;
            tracked.erase(it);
            tracked[old_path] = slug;
            std::string old_slug = slug_of(old_path, prefix);
            change.old_slug = old_slug;
            if (!old_slug.empty() && !current.count(old_slug)) h.renamed.emplace(old_slug, slug);
          }
          h.changes.push_back(change);
          break;
        }
        case GIT_DELTA_DELETED: {
          std::string slug = slug_of(old_path, prefix);
          if (slug.empty() || tracked.count(old_path) || current.count(slug) || h.renamed.count(slug) ||
              !removed_seen.insert(slug).second) {
            break;
          }
          RemovedEntry r;
          r.slug = slug;
          r.removed_in = index;
          read_removed(repo.get(), &d->old_file.id, r);
          h.removed.push_back(std::move(r));
          h.changes.push_back({index, slug, Change::removed, {}});
          used = true;
          break;
        }
        default:
          break;
      }
    }
    if (used) h.commits.push_back(revision_of(commit.get()));
  }
  // A slug renamed away and later removed: the rename already points somewhere that exists.
  std::erase_if(h.removed, [&](const RemovedEntry& r) { return h.renamed.count(r.slug) > 0; });
  std::sort(h.removed.begin(), h.removed.end(), [](const RemovedEntry& a, const RemovedEntry& b) { return a.slug < b.slug; });
  // A file whose slug appears in the walk but was never committed (untracked) is unpublished.
  for (auto& [slug, e] : h.entries) {
    if (e.revisions.empty()) e.local_changes = true;
  }
  return h;
}

}  // namespace lexicon
