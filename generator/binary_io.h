#pragma once
// Little-endian, length-prefixed fields for the build's own caches under .lexicon/ (parse_cache.h,
// term_cache.h). Reading is bounds-checked: a damaged file makes the reader's `ok` false, never a crash.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "content.h"

namespace lexicon {

class BinaryWriter {
 public:
  std::string out;
  void u64(std::uint64_t v) {
    for (int k = 0; k < 8; ++k) out += static_cast<char>((v >> (8 * k)) & 0xff);
  }
  void u32(std::uint32_t v) {
    char b[4];
    for (int k = 0; k < 4; ++k) b[k] = static_cast<char>((v >> (8 * k)) & 0xff);
    out.append(b, 4);
  }
  void i32(int v) { u32(static_cast<std::uint32_t>(v)); }
  void str(std::string_view s) {
    u32(static_cast<std::uint32_t>(s.size()));
    out.append(s);
  }
  void strings(const std::vector<std::string>& list) {
    u32(static_cast<std::uint32_t>(list.size()));
    for (const auto& s : list) str(s);
  }
  void position(const Position& p) {
    i32(p.line);
    i32(p.column);
  }
};

class BinaryReader {
 public:
  explicit BinaryReader(std::string_view bytes) : in_(bytes) {}
  bool ok = true;
  bool done() const { return pos_ == in_.size(); }
  std::size_t offset() const { return pos_; }
  bool skip(std::size_t n) { return take(n) != nullptr; }
  std::uint32_t u32() {
    const char* at = take(4);
    return at ? u32_at(at) : 0;
  }
  int i32() { return static_cast<int>(u32()); }
  // `n` bytes at once (for a run of fixed-size fields checked once for length), or null when short.
  const char* take(std::size_t n) {
    if (in_.size() - pos_ < n) return fail(), nullptr;
    const char* at = in_.data() + pos_;
    pos_ += n;
    return at;
  }
  static std::uint32_t u32_at(const char* at) {
    std::uint32_t v = 0;
    for (int k = 0; k < 4; ++k) v |= static_cast<std::uint32_t>(static_cast<unsigned char>(at[k])) << (8 * k);
    return v;
  }
  std::uint64_t u64() {
    std::uint64_t low = u32();
    return low | (static_cast<std::uint64_t>(u32()) << 32);
  }
  std::string str() {
    std::uint32_t n = u32();
    if (in_.size() - pos_ < n) return fail(), std::string();
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  // A count of items each at least `min_bytes` long: more than the rest of the file could hold is damage.
  std::uint32_t count(std::size_t min_bytes) {
    std::uint32_t n = u32();
    if (n > (in_.size() - pos_) / min_bytes) return fail();
    return n;
  }
  std::vector<std::string> strings() {
    std::vector<std::string> list(count(4));
    for (auto& s : list) s = str();
    return list;
  }
  Position position() {
    Position p;
    p.line = i32();
    p.column = i32();
    return p;
  }

 private:
  std::string_view in_;
  std::size_t pos_ = 0;
  std::uint32_t fail() {
    ok = false;
    pos_ = in_.size();
    return 0;
  }
};

// A cache file is written through a temporary file beside it, renamed when complete, so a reader never
// sees half of one. `produce` is given a sink and writes the bytes in pieces (a cache can be 170 MB:
// not a string to hold in memory). Throws when the file cannot be written.
using ByteSink = std::function<void(std::string_view)>;
void write_file_in_pieces(const std::filesystem::path& file, const std::function<void(const ByteSink&)>& produce);
// A file's bytes, mapped read-only, or bytes held in memory. Mapping spares the copy, the zero fill and the
// fresh pages a 33 MB cache costs when read into a string. The caches are only ever replaced by rename,
// never written in place, so a mapping keeps showing the complete file it was made from.
class FileBytes {
 public:
  explicit FileBytes(std::string bytes = {}) : owned_(std::move(bytes)) {}
  FileBytes(FileBytes&& other) noexcept;
  FileBytes& operator=(FileBytes&& other) noexcept;
  FileBytes(const FileBytes&) = delete;
  FileBytes& operator=(const FileBytes&) = delete;
  ~FileBytes();
  std::string_view view() const { return mapped_ ? std::string_view(mapped_, size_) : std::string_view(owned_); }

  // The whole file, or null when it cannot be read.
  static std::optional<FileBytes> read(const std::filesystem::path& file);

 private:
  std::string owned_;
  const char* mapped_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace lexicon
