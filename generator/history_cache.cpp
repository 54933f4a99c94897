#include "history_cache.h"

#include "binary_io.h"
#include "hash.h"

namespace lexicon {

namespace {

// Version line: a change to what is stored needs a new one.
constexpr std::string_view magic = "lexicon history-cache 1\n";

void write_index(BinaryWriter& w, std::size_t index) { w.u32(static_cast<std::uint32_t>(index)); }

// An index into the commits: out of range is damage.
bool read_index(BinaryReader& r, std::size_t commits, std::size_t& index) {
  index = r.u32();
  return r.ok && index < commits;
}

}  // namespace

std::string serialise_history_cache(const ContentHistory& h, const std::string& binary) {
  BinaryWriter w;
  w.out.append(magic);
  w.str(binary);
  w.u32(h.available ? 1 : 0);
  w.str(h.note);
  w.u32(static_cast<std::uint32_t>(h.commits.size()));
  for (const auto& c : h.commits) {
    w.str(c.id);
    w.str(c.short_id);
    w.u64(static_cast<std::uint64_t>(c.time));
    w.i32(c.offset);
    w.str(c.author);
    w.str(c.subject);
  }
  w.u32(static_cast<std::uint32_t>(h.entries.size()));
  for (const auto& [slug, e] : h.entries) {
    w.str(slug);
    w.u32(e.local_changes ? 1 : 0);
    w.u32(static_cast<std::uint32_t>(e.revisions.size()));
    for (auto index : e.revisions) write_index(w, index);
  }
  w.u32(static_cast<std::uint32_t>(h.renamed.size()));
  for (const auto& [from, to] : h.renamed) {
    w.str(from);
    w.str(to);
  }
  w.u32(static_cast<std::uint32_t>(h.removed.size()));
  for (const auto& r : h.removed) {
    w.str(r.slug);
    w.str(r.title);
    w.strings(r.related);
    write_index(w, r.removed_in);
  }
  w.u32(static_cast<std::uint32_t>(h.changes.size()));
  for (const auto& c : h.changes) {
    write_index(w, c.commit);
    w.str(c.slug);
    w.u32(static_cast<std::uint32_t>(c.kind));
    w.str(c.old_slug);
  }
  w.u64(Hasher().add(w.out).value());
  return std::move(w.out);
}

std::optional<ContentHistory> decode_history_cache(std::string_view bytes, const std::string& binary) {
  constexpr std::size_t checksum_bytes = 8;
  if (bytes.size() < magic.size() + checksum_bytes || !bytes.starts_with(magic)) return std::nullopt;
  std::string_view body = bytes.substr(0, bytes.size() - checksum_bytes);
  BinaryReader checksum(bytes.substr(body.size()));
  if (checksum.u64() != Hasher().add(body).value()) return std::nullopt;
  BinaryReader r(body.substr(magic.size()));
  if (r.str() != binary) return std::nullopt;
  ContentHistory h;
  h.available = r.u32() == 1;
  h.note = r.str();
  h.commits.resize(r.count(36));  // two hex ids, time, offset and two lengths at the least
  for (auto& c : h.commits) {
    c.id = r.str();
    c.short_id = r.str();
    c.time = static_cast<std::int64_t>(r.u64());
    c.offset = r.i32();
    c.author = r.str();
    c.subject = r.str();
  }
  for (std::uint32_t n = r.count(12); n > 0 && r.ok; --n) {
    std::string slug = r.str();
    EntryHistory e;
    e.local_changes = r.u32() == 1;
    e.revisions.resize(r.count(4));
    for (auto& index : e.revisions) {
      if (!read_index(r, h.commits.size(), index)) return std::nullopt;
    }
    if (!h.entries.emplace(std::move(slug), std::move(e)).second) return std::nullopt;
  }
  for (std::uint32_t n = r.count(8); n > 0 && r.ok; --n) {
    std::string from = r.str();
    if (!h.renamed.emplace(std::move(from), r.str()).second) return std::nullopt;
  }
  h.removed.resize(r.count(16));
  for (auto& removed : h.removed) {
    removed.slug = r.str();
    removed.title = r.str();
    removed.related = r.strings();
    if (!read_index(r, h.commits.size(), removed.removed_in)) return std::nullopt;
  }
  h.changes.resize(r.count(16));
  for (auto& c : h.changes) {
    if (!read_index(r, h.commits.size(), c.commit)) return std::nullopt;
    c.slug = r.str();
    std::uint32_t kind = r.u32();
    if (kind > Change::removed) return std::nullopt;
    c.kind = static_cast<Change::Kind>(kind);
    c.old_slug = r.str();
  }
  if (!r.ok || !r.done()) return std::nullopt;
  return h;
}

void write_history_cache_file(const std::filesystem::path& file, const ContentHistory& history, const std::string& binary) {
  std::string bytes = serialise_history_cache(history, binary);
  write_file_in_pieces(file, [&](const ByteSink& sink) { sink(bytes); });
}

std::optional<ContentHistory> read_history_cache_file(const std::filesystem::path& file, const std::string& binary) {
  auto bytes = FileBytes::read(file);
  if (!bytes) return std::nullopt;
  return decode_history_cache(bytes->view(), binary);
}

}  // namespace lexicon
