#include "parse_cache.h"

#include <stdexcept>

#include <cstdint>
#include <cstring>
#include <functional>
#include <vector>

#include <fmt/format.h>

#include "binary_io.h"
#include "hash.h"

namespace lexicon {

namespace {

// Version line: a change to what is stored (or to the structs it fills) needs a new one.
constexpr std::string_view magic = "lexicon parse-cache 2\n";

// Each record carries its own checksum (binary_io.h), so the file can be written as a stream (at
// 50,000 entries it is 170 MB: not a string to hold in memory).

void write_document(BinaryWriter& w, const Document& d) {
  w.str(d.slug);
  w.str(d.path);
  w.str(d.hash);
  w.i32(d.body_first_line);
  w.str(d.title);
  w.str(d.title_lang);
  w.str(d.summary);
  w.u32(static_cast<std::uint32_t>(d.aliases.size()));
  for (const auto& a : d.aliases) {
    w.str(a.text);
    w.str(a.lang);
  }
  for (const auto* list : {&d.themes, &d.related, &d.sources, &d.authors, &d.former_slugs}) w.strings(*list);
  w.u32(static_cast<std::uint32_t>(d.field_positions.size()));
  for (const auto& [key, p] : d.field_positions) {
    w.str(key);
    w.position(p);
  }
  w.u32(static_cast<std::uint32_t>(d.item_positions.size()));
  for (const auto& [key, list] : d.item_positions) {
    w.str(key);
    w.u32(static_cast<std::uint32_t>(list.size()));
    for (const auto& p : list) w.position(p);
  }
}

Document read_document(BinaryReader& r, bool defer_positions) {
  Document d;
  d.slug = r.str();
  d.path = r.str();
  d.hash = r.str();
  d.body_first_line = r.i32();
  d.title = r.str();
  d.title_lang = r.str();
  d.summary = r.str();
  d.aliases.resize(r.count(8));
  for (auto& a : d.aliases) {
    a.text = r.str();
    a.lang = r.str();
  }
  for (auto* list : {&d.themes, &d.related, &d.sources, &d.authors, &d.former_slugs}) *list = r.strings();
  if (defer_positions) {
    // Stepped over without a string or map node made: a dozen allocations per document.
    for (std::uint32_t n = r.count(12); n > 0; --n) {
      r.skip(r.u32());
      r.position();
    }
    for (std::uint32_t n = r.count(8); n > 0; --n) {
      r.skip(r.u32());
      for (std::uint32_t k = r.count(8); k > 0; --k) r.position();
    }
    d.positions_deferred = true;
    return d;
  }
  for (std::uint32_t n = r.count(12); n > 0; --n) {
    std::string key = r.str();
    d.field_positions[key] = r.position();
  }
  for (std::uint32_t n = r.count(8); n > 0; --n) {
    auto& list = d.item_positions[r.str()];
    list.resize(r.count(8));
    for (auto& p : list) p = r.position();
  }
  return d;
}

void write_markdown(BinaryWriter& w, const MarkdownDoc& m) {
  w.u32(static_cast<std::uint32_t>(m.links.size()));
  for (const auto& l : m.links) {
    w.str(l.target);
    w.str(l.anchor);
    w.str(l.label);
    w.u32(l.has_label ? 1 : 0);
    w.i32(l.line);
    w.i32(l.column);
  }
  w.u32(static_cast<std::uint32_t>(m.citations.size()));
  for (const auto& c : m.citations) {
    w.str(c.key);
    w.str(c.locator);
    w.i32(c.line);
    w.i32(c.column);
  }
  w.u32(static_cast<std::uint32_t>(m.images.size()));
  for (const auto& i : m.images) {
    w.str(i.url);
    w.i32(i.line);
    w.i32(i.column);
  }
  w.u32(static_cast<std::uint32_t>(m.headings.size()));
  for (const auto& h : m.headings) {
    w.i32(h.level);
    w.str(h.text);
    w.str(h.id);
  }
  w.str(m.plain_text);
}

MarkdownDoc read_markdown(BinaryReader& r, bool defer_plain_text) {
  MarkdownDoc m;
  m.links.resize(r.count(24));
  for (auto& l : m.links) {
    l.target = r.str();
    l.anchor = r.str();
    l.label = r.str();
    l.has_label = r.u32() != 0;
    l.line = r.i32();
    l.column = r.i32();
  }
  m.citations.resize(r.count(16));
  for (auto& c : m.citations) {
    c.key = r.str();
    c.locator = r.str();
    c.line = r.i32();
    c.column = r.i32();
  }
  m.images.resize(r.count(12));
  for (auto& i : m.images) {
    i.url = r.str();
    i.line = r.i32();
    i.column = r.i32();
  }
  m.headings.resize(r.count(12));
  for (auto& h : m.headings) {
    h.level = r.i32();
    h.text = r.str();
    h.id = r.str();
  }
  if (defer_plain_text) {
    r.skip(r.u32());  // checked whole when the cache was opened
    m.plain_text_deferred = true;
  } else {
    m.plain_text = r.str();
  }
  return m;
}

void write_diagnostic(BinaryWriter& w, const Diagnostic& d) {
  w.str(d.path);
  w.i32(d.line);
  w.i32(d.column);
  w.u32(d.severity == Severity::error ? 1 : 0);
  w.str(d.message);
  w.str(d.source_line);
}

Diagnostic read_diagnostic(BinaryReader& r) {
  Diagnostic d;
  d.path = r.str();
  d.line = r.i32();
  d.column = r.i32();
  d.severity = r.u32() != 0 ? Severity::error : Severity::warning;
  d.message = r.str();
  d.source_line = r.str();
  return d;
}

using DocumentsByPath = std::map<std::string_view, std::pair<const Document*, const MarkdownDoc*>>;
using DiagnosticsByPath = std::map<std::string_view, std::vector<const Diagnostic*>>;

DocumentsByPath documents_of(const ParsedCorpus& parsed) {
  DocumentsByPath documents;
  const Corpus& c = parsed.corpus;
  for (std::size_t i = 0; i < c.entries.size(); ++i) documents[c.entries[i].path] = {&c.entries[i], &parsed.entry_docs[i]};
  for (std::size_t i = 0; i < c.pages.size(); ++i) documents[c.pages[i].path] = {&c.pages[i], &parsed.page_docs[i]};
  return documents;
}

// Each document's own diagnostics, in the order they were reported (reported again in that order).
DiagnosticsByPath diagnostics_by_path(const Diagnostics& diagnostics) {
  DiagnosticsByPath by_path;
  for (const auto& d : diagnostics.items) by_path[d.path].push_back(&d);
  return by_path;
}

// The known record of a document parsed from the same bytes, or null.
const CachedRecord* known_record(const ParseCacheFile* known, std::string_view path, const Document& d) {
  if (!known) return nullptr;
  auto it = known->records.find(path);
  return it != known->records.end() && it->second.hash == d.hash ? &it->second : nullptr;
}

void write_parse_cache(const DocumentsByPath& documents, const DiagnosticsByPath& by_path, const std::string& binary,
                       const std::string& display_root, const std::function<void(std::string_view)>& sink,
                       const ParseCacheFile* known) {
  constexpr std::size_t flush_at = 1 << 20;
  BinaryWriter w;
  w.out.append(magic);
  w.str(binary);
  w.str(display_root);
  w.u32(static_cast<std::uint32_t>(documents.size()));
  w.u64(Hasher().add(w.out).value());
  for (const auto& [path, doc] : documents) {
    if (const CachedRecord* record = known_record(known, path, *doc.first)) {
      // Length, record and checksum, as they are.
      w.out.append(known->shards[record->shard].view().substr(record->offset - 4, 4 + record->size + 8));
      continue;
    }
    // Only documents from the known cache defer their text and positions, and those are copied above.
    if (doc.second->plain_text_deferred || doc.first->positions_deferred) {
      throw std::logic_error("parse cache: plain text or positions of " + std::string(path) + " not read");
    }
    // A record: its length, then path and hash (all that open_parse_cache reads), the rest, a checksum.
    std::size_t length_at = w.out.size();
    w.u32(0);
    w.str(path);
    w.str(doc.first->hash);
    write_document(w, *doc.first);
    write_markdown(w, *doc.second);
    auto it = by_path.find(path);
    w.u32(it == by_path.end() ? 0 : static_cast<std::uint32_t>(it->second.size()));
    if (it != by_path.end()) {
      for (const auto* d : it->second) write_diagnostic(w, *d);
    }
    auto length = static_cast<std::uint32_t>(w.out.size() - length_at - 4);
    for (int k = 0; k < 4; ++k) w.out[length_at + k] = static_cast<char>((length >> (8 * k)) & 0xff);
    w.u64(Hasher().add(std::string_view(w.out).substr(length_at + 4, length)).value());
    if (w.out.size() >= flush_at) {
      sink(w.out);
      w.out.clear();
    }
  }
  sink(w.out);
}

}  // namespace

std::size_t parse_cache_shard(std::string_view display_path) {
  return static_cast<std::size_t>(Hasher().add(display_path).value() % parse_cache_shards);
}

std::string parse_cache_shard_name(std::size_t shard) { return fmt::format("{:02x}", shard); }

std::string serialise_parse_cache(const ParsedCorpus& parsed, const Diagnostics& diagnostics,
                                  const std::string& binary, const std::string& display_root) {
  std::string out;
  write_parse_cache(documents_of(parsed), diagnostics_by_path(diagnostics), binary, display_root,
                    [&](std::string_view bytes) { out.append(bytes); }, nullptr);
  return out;
}

void write_parse_cache_dir(const std::filesystem::path& dir, const ParsedCorpus& parsed,
                           const Diagnostics& diagnostics, const std::string& binary, const std::string& display_root,
                           const ParseCacheFile* known) {
  namespace fs = std::filesystem;
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::vector<DocumentsByPath> shards(parse_cache_shards);
  for (const auto& [path, doc] : documents_of(parsed)) shards[parse_cache_shard(path)].emplace(path, doc);
  const DiagnosticsByPath by_path = diagnostics_by_path(diagnostics);
  for (std::size_t s = 0; s < shards.size(); ++s) {
    if (shards[s].empty()) continue;  // no file: no records
    const fs::path file = dir / parse_cache_shard_name(s);
    // Exactly the records of the known shard (same paths and blob ids, none added or gone): the same bytes.
    bool same = known && !known->dir.empty() && s < known->held.size() && known->held[s] == shards[s].size() &&
                known->valid[s] == shards[s].size();
    for (auto it = shards[s].begin(); same && it != shards[s].end(); ++it) {
      const CachedRecord* record = known_record(known, it->first, *it->second.first);
      same = record && record->shard == s;
    }
    std::error_code ec;
    if (same && (fs::create_hard_link(known->dir / parse_cache_shard_name(s), file, ec), !ec)) continue;
    write_file_in_pieces(file, [&](const ByteSink& sink) {
      write_parse_cache(shards[s], by_path, binary, display_root, sink, known);
    });
  }
}

std::optional<ParseCacheFile> open_parse_cache(FileBytes bytes) {
  const std::string_view all = bytes.view();
  if (!all.starts_with(magic)) return std::nullopt;
  ParseCacheFile cache;
  BinaryReader r(all.substr(magic.size()));
  cache.binary = r.str();
  cache.display_root = r.str();
  std::uint32_t n = r.count(16);
  std::size_t header_end = magic.size() + r.offset();
  if (!r.ok || r.u64() != Hasher().add(all.substr(0, header_end)).value()) return std::nullopt;
  for (; n > 0 && r.ok; --n) {
    std::size_t size = r.u32();
    std::size_t offset = magic.size() + r.offset();
    if (!r.skip(size) || r.u64() != Hasher().add(all.substr(offset, size)).value()) return std::nullopt;
    BinaryReader head(all.substr(offset, size));
    std::string path = head.str();
    CachedRecord record{0, offset, size, head.str(), std::nullopt};
    if (!head.ok || !cache.records.emplace(std::move(path), std::move(record)).second) return std::nullopt;
  }
  if (!r.ok || !r.done()) return std::nullopt;
  cache.held = {cache.records.size()};
  cache.valid = cache.held;
  cache.shards.push_back(std::move(bytes));
  return cache;
}

std::optional<CachedFile> decode_record(const ParseCacheFile& cache, const CachedRecord& record, bool defer) {
  if (record.shard >= cache.shards.size()) return std::nullopt;
  BinaryReader r(cache.shards[record.shard].view().substr(record.offset, record.size));
  r.str();  // path and hash: known already
  r.str();
  CachedFile f;
  f.document = read_document(r, defer);
  f.markdown = read_markdown(r, defer);
  f.diagnostics.resize(r.count(16));
  for (auto& d : f.diagnostics) d = read_diagnostic(r);
  if (!r.ok || !r.done() || f.document.hash != record.hash) return std::nullopt;
  return f;
}

std::optional<ParseCache> decode_parse_cache(std::string_view bytes) {
  auto file = open_parse_cache(FileBytes(std::string(bytes)));
  if (!file) return std::nullopt;
  ParseCache cache{file->binary, file->display_root, {}};
  for (const auto& [path, record] : file->records) {
    auto f = decode_record(*file, record);
    if (!f || f->document.path != path) return std::nullopt;
    cache.files.emplace(path, std::move(*f));
  }
  return cache;
}

std::optional<ParseCacheFile> open_parse_cache_dir(const std::filesystem::path& cache_dir, const std::string& binary,
                                                   const std::string& display_root) {
  ParseCacheFile cache;
  cache.dir = cache_dir;
  cache.binary = binary;
  cache.display_root = display_root;
  cache.shards.resize(parse_cache_shards);
  cache.held.assign(parse_cache_shards, 0);
  cache.valid.assign(parse_cache_shards, 0);
  for (std::size_t s = 0; s < parse_cache_shards; ++s) {
    auto bytes = FileBytes::read(cache_dir / parse_cache_shard_name(s));
    if (!bytes) continue;  // none (no documents there) or unreadable: its documents are parsed
    auto shard = open_parse_cache(std::move(*bytes));
    if (!shard || shard->binary != binary || shard->display_root != display_root) continue;
    // A record in the wrong shard is damage too: the whole shard is not trusted.
    bool placed = true;
    for (const auto& [path, record] : shard->records) placed = placed && parse_cache_shard(path) == s;
    if (!placed) continue;
    cache.held[s] = cache.valid[s] = shard->records.size();
    for (auto& [path, record] : shard->records) record.shard = s;
    cache.records.merge(shard->records);  // distinct paths: each shard holds its own
    cache.shards[s] = std::move(shard->shards.front());
  }
  if (cache.records.empty()) return std::nullopt;
  return cache;
}

std::optional<ParseCacheFile> reusable_parse_cache(ParseCacheFile cache, const std::map<std::string, InputFile>& inputs) {
  const std::string prefix = cache.display_root + "/";
  std::erase_if(cache.records, [&](const auto& item) {
    const auto& [path, record] = item;
    auto input = path.starts_with(prefix) ? inputs.find("content/" + path.substr(prefix.size())) : inputs.end();
    if (input != inputs.end() && input->second.hash == record.hash) return false;
    --cache.valid[record.shard];
    return true;
  });
  if (cache.records.empty()) return std::nullopt;
  return cache;
}

std::optional<ParseCacheFile> reusable_parse_cache(const std::filesystem::path& cache_dir, const std::string& binary,
                                                   const std::string& display_root,
                                                   const std::map<std::string, InputFile>& inputs) {
  auto cache = open_parse_cache_dir(cache_dir, binary, display_root);
  if (!cache) return std::nullopt;
  return reusable_parse_cache(std::move(*cache), inputs);
}

}  // namespace lexicon
