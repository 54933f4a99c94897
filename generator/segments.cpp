#include "segments.h"

namespace lexicon {

namespace {
constexpr std::string_view format_line = "lexicon-segments 1\n";
constexpr std::size_t segment_bytes = 24;  // print, offset, length
}  // namespace

SegmentedText::SegmentedText(Fingerprint context, const PreviousOutput* previous) {
  table_.context = context;
  if (!previous || previous->table.context != context || previous->bytes.view().size() != previous->table.size) return;
  previous_bytes_ = previous->bytes.view();
  text.reserve(previous_bytes_.size() + previous_bytes_.size() / 16);  // about as long: no copies as it grows
  previous_.reserve(previous->table.segments.size());
  for (const Segment& s : previous->table.segments) {
    if (s.offset <= previous_bytes_.size() && s.length <= previous_bytes_.size() - s.offset) {
      previous_.emplace(s.print, std::pair{s.offset, s.length});
    }
  }
}

bool SegmentedText::copy(Fingerprint print) {
  auto it = previous_.find(print);
  if (it == previous_.end()) return false;
  const auto [offset, length] = it->second;
  table_.segments.push_back({print, text.size(), length});
  text.append(previous_bytes_.substr(offset, length));
  ++copied_;
  return true;
}

SegmentTable SegmentedText::table() const {
  SegmentTable t = table_;
  t.size = text.size();
  return t;
}

std::string serialise_segment_tables(const SegmentTables& tables, const std::string& binary) {
  BinaryWriter w;
  w.out += format_line;
  w.str(binary);
  w.u32(static_cast<std::uint32_t>(tables.size()));
  for (const auto& [path, table] : tables) {
    w.str(path);
    w.u64(table.context);
    w.u64(table.size);
    w.u32(static_cast<std::uint32_t>(table.segments.size()));
    for (const Segment& s : table.segments) {
      w.u64(s.print);
      w.u64(s.offset);
      w.u64(s.length);
    }
  }
  return std::move(w.out);
}

SegmentTables decode_segment_tables(std::string_view bytes, const std::string& binary) {
  if (!bytes.starts_with(format_line)) return {};
  BinaryReader r(bytes.substr(format_line.size()));
  if (r.str() != binary || !r.ok) return {};
  SegmentTables tables;
  const std::uint32_t outputs = r.count(4 + 8 + 8 + 4);
  for (std::uint32_t k = 0; k < outputs && r.ok; ++k) {
    std::string path = r.str();
    SegmentTable table;
    table.context = r.u64();
    table.size = r.u64();
    table.segments.resize(r.count(segment_bytes));
    for (Segment& s : table.segments) {
      s.print = r.u64();
      s.offset = r.u64();
      s.length = r.u64();
    }
    tables.emplace(std::move(path), std::move(table));
  }
  if (!r.ok || !r.done()) return {};
  return tables;
}

SegmentTables read_segment_tables(const std::filesystem::path& file, const std::string& binary) {
  auto bytes = FileBytes::read(file);
  return bytes ? decode_segment_tables(bytes->view(), binary) : SegmentTables{};
}

std::optional<PreviousOutput> previous_output(const std::filesystem::path& site_dir, const SegmentTables& tables,
                                              const std::string& path) {
  auto it = tables.find(path);
  if (it == tables.end()) return std::nullopt;
  auto bytes = FileBytes::read(site_dir / path);
  if (!bytes) return std::nullopt;
  return PreviousOutput{std::move(*bytes), it->second};
}

}  // namespace lexicon
