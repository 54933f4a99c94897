#include "generation.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

namespace fs = std::filesystem;

namespace lexicon {

namespace {

fs::path sibling(const fs::path& site_dir, const char* kind) { return generation_sibling(site_dir, kind); }

// Where site/'s hidden siblings live ("." for a bare "site").
fs::path parent_of(const fs::path& site_dir) {
  return site_dir.parent_path().empty() ? fs::path(".") : site_dir.parent_path();
}

// `replace`: the path may hold a file of a recycled generation, possibly a hard link shared with the
// current one, so its directory entry is replaced (unlink, then a new file), never its bytes.
void write_all(const fs::path& path, const std::string& content, bool replace = false) {
  if (replace && ::unlink(path.c_str()) != 0 && errno != ENOENT) {
    throw std::runtime_error(fmt::format("kan {} niet vervangen: {}", path.string(), std::strerror(errno)));
  }
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error(fmt::format("kan {} niet schrijven: {}", path.string(), std::strerror(errno)));
  std::size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int saved = errno;
      ::close(fd);
      throw std::runtime_error(fmt::format("kan {} niet schrijven: {}", path.string(), std::strerror(saved)));
    }
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) throw std::runtime_error(fmt::format("kan {} niet schrijven: {}", path.string(), std::strerror(errno)));
}

bool exchange(const fs::path& a, const fs::path& b) {
#ifdef SYS_renameat2
  constexpr unsigned rename_exchange = 2;  // RENAME_EXCHANGE
  return ::syscall(SYS_renameat2, AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), rename_exchange) == 0;
#else
  (void)a;
  (void)b;
  errno = ENOSYS;
  return false;
#endif
}

// Creates each directory once: a generation has tens of thousands of folders.
void make_parent(const fs::path& file, std::set<std::string>& made) {
  fs::path dir = file.parent_path();
  if (made.insert(dir.native()).second) fs::create_directories(dir);
}

// A directory descriptor for the *at calls below: paths relative to it skip the walk from / for each
// of the tens of thousands of files an incremental build links.
struct DirFd {
  int fd = -1;
  explicit DirFd(const fs::path& dir) : fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {
    if (fd < 0) throw std::runtime_error(fmt::format("kan map {} niet openen: {}", dir.string(), std::strerror(errno)));
  }
  ~DirFd() { ::close(fd); }
  DirFd(const DirFd&) = delete;
  DirFd& operator=(const DirFd&) = delete;
};

// Creates `rel` under `root` with its missing parents: one mkdirat when the parent exists (nearly always).
void make_dirs_at(int root, const std::string& rel, const fs::path& shown_root) {
  if (::mkdirat(root, rel.c_str(), 0755) == 0 || errno == EEXIST) return;
  std::size_t slash = rel.rfind('/');
  if (errno == ENOENT && slash != std::string::npos) {
    make_dirs_at(root, rel.substr(0, slash), shown_root);
    if (::mkdirat(root, rel.c_str(), 0755) == 0 || errno == EEXIST) return;
  }
  throw std::runtime_error(fmt::format("kan map {} niet maken: {}", (shown_root / rel).string(), std::strerror(errno)));
}

// An unchanged output of the previous generation: hard-linked (costs no data), copied where links
// are not possible. Files are never written in place, so a link never lets a build change the old
// generation.
void reuse(const DirFd& from_root, const DirFd& to_root, const std::string& rel, const fs::path& from, const fs::path& to) {
  if (::linkat(from_root.fd, rel.c_str(), to_root.fd, rel.c_str(), 0) == 0) return;
  if (errno == ENOENT) throw MissingPreviousOutput(from.string());
  if (errno == EEXIST) {  // an outdated file of a recycled generation
    if (::unlinkat(to_root.fd, rel.c_str(), 0) != 0) {
      throw std::runtime_error(fmt::format("kan {} niet vervangen: {}", to.string(), std::strerror(errno)));
    }
    if (::linkat(from_root.fd, rel.c_str(), to_root.fd, rel.c_str(), 0) == 0) return;
  }
  fs::copy_file(from, to, fs::copy_options::overwrite_existing);
}

// Removes an output the new generation does not have from a recycled one, and the folders it leaves empty.
void remove_stale(const DirFd& root, const std::string& rel, const fs::path& shown_root) {
  if (::unlinkat(root.fd, rel.c_str(), 0) != 0 && errno != ENOENT) {
    throw std::runtime_error(fmt::format("kan {} niet verwijderen: {}", (shown_root / rel).string(), std::strerror(errno)));
  }
  for (std::size_t slash = rel.rfind('/'); slash != std::string::npos && slash > 0; slash = rel.rfind('/', slash - 1)) {
    if (::unlinkat(root.fd, rel.substr(0, slash).c_str(), AT_REMOVEDIR) != 0) break;  // not empty (or gone)
  }
}

// Deletes a whole generation, in the background when asked (tens of thousands of files can take
// longer than the build itself). It is renamed out of the way first, so a half-deleted generation never
// keeps a name a later build trusts (the next build removes it if this does not finish).
void discard_generation(const fs::path& site_dir, fs::path dir, bool detach) {
  std::error_code ec;
  fs::path retired = sibling(site_dir, "old");
  fs::rename(dir, retired, ec);
  if (!ec) dir = retired;
  if (detach && !ec) {
    const char* argv[] = {"rm", "-rf", "--", retired.c_str(), nullptr};
    pid_t pid = 0;
    if (::posix_spawnp(&pid, "rm", nullptr, nullptr, const_cast<char* const*>(argv), environ) == 0) return;
  }
  fs::remove_all(dir, ec);
}

}  // namespace

// Hidden siblings: ".site.new-<pid>" while building, ".site.old-<pid>" after the swap, ".site.index-<pid>"
// while the index is built beside the pages, ".site.retired-<pid>" while a recycled generation's index
// and caches are deleted.
fs::path generation_sibling(const fs::path& site_dir, const char* kind) {
  const fs::path parent = parent_of(site_dir);
  return parent / fmt::format(".{}.{}-{}", site_dir.filename().string(), kind, ::getpid());
}

bool recycling_pays_off(std::size_t differing, std::size_t outputs) {
  constexpr std::size_t always_cheap = 256;
  return differing <= always_cheap || differing * 5 <= outputs;
}

fs::path spare_generation(const fs::path& site_dir) {
  const fs::path parent = parent_of(site_dir);
  return parent / fmt::format(".{}.spare", site_dir.filename().string());
}

void remove_stale_generations(const fs::path& site_dir, bool retired_too) {
  const fs::path parent = parent_of(site_dir);
  std::string prefix = "." + site_dir.filename().string() + ".";
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(parent, ec)) {
    std::string name = e.path().filename().string();
    // This build's own staging directory may be in progress (StagingWriter removes it when starting).
    if (name == generation_sibling(site_dir, "new").filename().string()) continue;
    if (name.starts_with(prefix + "new-") || (retired_too && name.starts_with(prefix + "old-"))) fs::remove_all(e.path(), ec);
    // A killed build's index, parse cache or term cache; this build's own may be in progress beside it
    // (a cache as its temporary file).
    for (const char* kind : {"index", "parse-cache", "term-cache", "history-cache", "retired"}) {
      const std::string own = generation_sibling(site_dir, kind).filename().string();
      if (name.starts_with(prefix + kind + "-") && name != own && !name.starts_with(own + ".tmp-")) {
        fs::remove_all(e.path(), ec);
      }
    }
  }
}

GenerationLock::GenerationLock(const fs::path& site_dir, const std::function<void(long holder)>& on_wait) {
  const fs::path path = parent_of(site_dir) / ("." + site_dir.filename().string() + ".lock");
  std::error_code ec;
  fs::create_directories(parent_of(site_dir), ec);
  // O_CLOEXEC: the background `rm` of a retired generation must not inherit (and hold) the lock.
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw std::runtime_error(fmt::format("kan {} niet openen: {}", path.string(), std::strerror(errno)));
  auto fail = [&] {
    int error = errno;
    ::close(fd_);
    throw std::runtime_error(fmt::format("kan {} niet vergrendelen: {}", path.string(), std::strerror(error)));
  };
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) fail();
    char text[32] = {};
    ssize_t n = ::pread(fd_, text, sizeof text - 1, 0);
    on_wait(n > 0 ? std::strtol(text, nullptr, 10) : 0);
    while (::flock(fd_, LOCK_EX) != 0) {
      if (errno != EINTR) fail();
    }
  }
  // Who holds it, for the message of a build that has to wait; nothing depends on it being there.
  std::string pid = fmt::format("{}\n", ::getpid());
  if (::ftruncate(fd_, 0) == 0) (void)!::pwrite(fd_, pid.data(), pid.size(), 0);
}

GenerationLock::~GenerationLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the lock
}

void write_file_atomically(const fs::path& path, const std::string& content) {
  fs::path tmp = path;
  tmp += fmt::format(".tmp-{}", ::getpid());
  write_all(tmp, content);
  fs::rename(tmp, path);
}

StagingWriter::StagingWriter(const fs::path& site_dir, bool recycle) : staging_(sibling(site_dir, "new")) {
  remove_stale_generations(site_dir);
  std::error_code ec;
  fs::remove_all(staging_, ec);  // a dead build with the same pid
  // Claimed by a rename, so two builds can never both recycle it.
  if (recycle && fs::is_directory(site_dir, ec)) {
    recycled_ = ::rename(spare_generation(site_dir).c_str(), staging_.c_str()) == 0;
  }
  fs::create_directories(staging_);
}

void StagingWriter::write(const OutputFile& file) {
  fs::path p = staging_ / file.path;
  {
    std::lock_guard lock(mutex_);
    make_parent(p, made_);
  }
  write_all(p, file.content, recycled_);
}

void publish_generation(const fs::path& site_dir, const RenderedSite& site,
                        const std::function<void(const fs::path& staging)>& fill, bool detach_cleanup) {
  StagingWriter writer(site_dir);
  publish_staged_generation(site_dir, writer.path(), site, fill, detach_cleanup);
}

void publish_staged_generation(const fs::path& site_dir, const fs::path& staged, const RenderedSite& site,
                               const std::function<void(const fs::path& staging)>& fill, bool detach_cleanup,
                               const StagedContents* recycled, bool keep_spare) {
  fs::path staging = staged;  // after the swap: where the previous generation is
  try {
    std::set<std::string> made;
    const bool replace = recycled != nullptr;
    for (const auto& f : site.files) {
      if (f.written) continue;
      fs::path p = staging / f.path;
      make_parent(p, made);
      write_all(p, f.content, replace);
    }
    for (const auto& c : site.copies) {
      fs::path p = staging / c.path;
      make_parent(p, made);
      if (replace) fs::remove(p);
      fs::copy_file(c.from, p, fs::copy_options::overwrite_existing);
    }
    if (!site.kept.empty() || (recycled && !recycled->stale.empty())) {
      DirFd from_root(site_dir), to_root(staging);
      if (recycled) {
        for (const auto& rel : recycled->stale) remove_stale(to_root, rel, staging);
      }
      std::set<std::string> made_relative;
      for (const auto& k : site.kept) {
        if (recycled && recycled->up_to_date(k)) continue;  // the same file already
        std::size_t slash = k.rfind('/');
        if (slash != std::string::npos && made_relative.insert(k.substr(0, slash)).second) {
          make_dirs_at(to_root.fd, k.substr(0, slash), staging);
        }
        reuse(from_root, to_root, k, site_dir / k, staging / k);
      }
    }
    if (fill) fill(staging);
  } catch (...) {
    std::error_code ec;
    fs::remove_all(staging, ec);
    throw;
  }
  std::error_code ec;
  if (fs::exists(site_dir, ec)) {
    if (!exchange(staging, site_dir)) {
      // Without renameat2 (old kernels, some filesystems): two renames, with a short window.
      fs::path retired = sibling(site_dir, "old");
      fs::rename(site_dir, retired);
      fs::rename(staging, site_dir);
      fs::remove_all(retired, ec);
      return;
    }
    // `staging` now holds the previous generation: kept as the spare for the next build, or deleted.
    if (keep_spare) {
      const fs::path spare = spare_generation(site_dir);
      if (fs::exists(spare, ec)) discard_generation(site_dir, spare, detach_cleanup);  // left by a clean build
      fs::rename(staging, spare, ec);
      if (!ec) return;
    }
    discard_generation(site_dir, staging, detach_cleanup);
  } else {
    fs::rename(staging, site_dir);
  }
}

}  // namespace lexicon
