#pragma once
// Outputs written in segments. A file that lists every entry (the SKOS export, the suggestions list) is
// written again whole when one title changes, though nearly all of it stays the same: at 10,000 entries
// those files were a third of a title edit's rendering. Such a file is put together from segments (one per
// entry, or per theme), each with a fingerprint of everything its bytes are made from. The generation
// keeps each such file's segment table (.lexicon/segments); the next build copies every segment whose
// fingerprint it finds there from the current file, and writes only the others.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "binary_io.h"
#include "hash.h"

namespace lexicon {

inline constexpr const char* segment_tables_path = ".lexicon/segments";

struct Segment {
  Fingerprint print = 0;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  bool operator==(const Segment&) const = default;
};

struct SegmentTable {
  // What every segment's bytes depend on besides their own print (the format, base URL, language):
  // a table made under another context is not used.
  Fingerprint context = 0;
  std::uint64_t size = 0;  // of the whole file: a file that is not this size is not the one described
  std::vector<Segment> segments;
  bool operator==(const SegmentTable&) const = default;
};

using SegmentTables = std::map<std::string, SegmentTable>;  // by site path

// The current generation's file and table for one output.
struct PreviousOutput {
  FileBytes bytes;
  SegmentTable table;
};

// Builds one output's text. Bytes outside segments (headers, separators) are appended to `text` directly.
class SegmentedText {
 public:
  // `previous`, when given, made under the same `context` and of the size its table says, lends its
  // unchanged segments; it must outlive this.
  SegmentedText(Fingerprint context, const PreviousOutput* previous);

  std::string text;

  // Appends the segment with `print`: copied from the previous file when it had one, else written by
  // `write(text)`.
  template <class Write>
  void segment(Fingerprint print, Write&& write) {
    if (copy(print)) return;
    const std::size_t start = text.size();
    write(text);
    table_.segments.push_back({print, start, text.size() - start});
  }
  std::size_t copied() const { return copied_; }
  // The table of what was written (call once `text` is complete).
  SegmentTable table() const;

 private:
  bool copy(Fingerprint print);
  std::string_view previous_bytes_;
  std::unordered_map<Fingerprint, std::pair<std::uint64_t, std::uint64_t>> previous_;  // print -> offset, length
  SegmentTable table_;
  std::size_t copied_ = 0;
};

// The tables of one generation. `binary` identifies the lexicon binary (its code wrote the bytes): tables
// from another binary, or damaged ones, are not used.
std::string serialise_segment_tables(const SegmentTables& tables, const std::string& binary);
SegmentTables decode_segment_tables(std::string_view bytes, const std::string& binary);
SegmentTables read_segment_tables(const std::filesystem::path& file, const std::string& binary);

// The output at `path` in the generation `site_dir` with its table from `tables`, when both are there
// (SegmentedText checks that they belong together). Site files are only ever replaced by rename, never
// written in place (generation.h), so the mapping keeps showing the file it was made from.
std::optional<PreviousOutput> previous_output(const std::filesystem::path& site_dir, const SegmentTables& tables,
                                              const std::string& path);

}  // namespace lexicon
