#include "generation.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

namespace fs = std::filesystem;

namespace lexicon {

namespace {

// Hidden siblings: ".site.new-<pid>" while building, ".site.old-<pid>" after the swap.
fs::path sibling(const fs::path& site_dir, const char* kind) {
  fs::path parent = site_dir.parent_path().empty() ? fs::path(".") : site_dir.parent_path();
  return parent / fmt::format(".{}.{}-{}", site_dir.filename().string(), kind, ::getpid());
}

void write_all(const fs::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  out.close();
  if (!out) throw std::runtime_error(fmt::format("kan {} niet schrijven", path.string()));
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

}  // namespace

void remove_stale_generations(const fs::path& site_dir) {
  fs::path parent = site_dir.parent_path().empty() ? fs::path(".") : site_dir.parent_path();
  std::string prefix = "." + site_dir.filename().string() + ".";
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(parent, ec)) {
    std::string name = e.path().filename().string();
    if (name.starts_with(prefix + "new-") || name.starts_with(prefix + "old-")) fs::remove_all(e.path(), ec);
  }
}

void write_file_atomically(const fs::path& path, const std::string& content) {
  fs::path tmp = path;
  tmp += fmt::format(".tmp-{}", ::getpid());
  write_all(tmp, content);
  fs::rename(tmp, path);
}

void publish_generation(const fs::path& site_dir, const RenderedSite& site,
                        const std::function<void(const fs::path& staging)>& fill) {
  remove_stale_generations(site_dir);
  fs::path staging = sibling(site_dir, "new");
  fs::create_directories(staging);
  try {
    for (const auto& f : site.files) {
      fs::path p = staging / f.path;
      fs::create_directories(p.parent_path());
      write_all(p, f.content);
    }
    for (const auto& c : site.copies) {
      fs::path p = staging / c.path;
      fs::create_directories(p.parent_path());
      fs::copy_file(c.from, p, fs::copy_options::overwrite_existing);
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
    fs::remove_all(staging, ec);  // now holds the previous generation
  } else {
    fs::rename(staging, site_dir);
  }
}

}  // namespace lexicon
