#include "parse_cache.h"

#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <functional>
#include <stdexcept>

#include "hash.h"

namespace lexicon {

namespace {

// Version line: a change to what is stored (or to the structs it fills) needs a new one.
constexpr std::string_view magic = "lexicon parse-cache 2\n";

// Little-endian, length-prefixed. The header and each record carry their own checksum, so the file can
// be written as a stream (at 50,000 entries it is 170 MB: not a string to hold in memory).
class Writer {
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

// Every read is bounds-checked: a damaged file makes `ok` false, never a crash.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : in_(bytes) {}
  bool ok = true;
  bool done() const { return pos_ == in_.size(); }
  std::size_t offset() const { return pos_; }
  bool skip(std::size_t n) {
    if (in_.size() - pos_ < n) return fail(), false;
    pos_ += n;
    return true;
  }
  std::uint32_t u32() {
    if (in_.size() - pos_ < 4) return fail();
    std::uint32_t v = 0;
    for (int k = 0; k < 4; ++k) v |= static_cast<std::uint32_t>(static_cast<unsigned char>(in_[pos_ + k])) << (8 * k);
    pos_ += 4;
    return v;
  }
  int i32() { return static_cast<int>(u32()); }
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

void write_document(Writer& w, const Document& d) {
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

Document read_document(Reader& r) {
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

void write_markdown(Writer& w, const MarkdownDoc& m) {
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

MarkdownDoc read_markdown(Reader& r) {
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
  m.plain_text = r.str();
  return m;
}

void write_diagnostic(Writer& w, const Diagnostic& d) {
  w.str(d.path);
  w.i32(d.line);
  w.i32(d.column);
  w.u32(d.severity == Severity::error ? 1 : 0);
  w.str(d.message);
  w.str(d.source_line);
}

Diagnostic read_diagnostic(Reader& r) {
  Diagnostic d;
  d.path = r.str();
  d.line = r.i32();
  d.column = r.i32();
  d.severity = r.u32() != 0 ? Severity::error : Severity::warning;
  d.message = r.str();
  d.source_line = r.str();
  return d;
}

void write_parse_cache(const ParsedCorpus& parsed, const Diagnostics& diagnostics, const std::string& binary,
                       const std::string& display_root, const std::function<void(std::string_view)>& sink) {
  // Each document's own diagnostics, in the order they were reported (reported again in that order).
  std::map<std::string_view, std::vector<const Diagnostic*>> by_path;
  for (const auto& d : diagnostics.items) by_path[d.path].push_back(&d);
  std::map<std::string_view, std::pair<const Document*, const MarkdownDoc*>> documents;
  const Corpus& c = parsed.corpus;
  for (std::size_t i = 0; i < c.entries.size(); ++i) documents[c.entries[i].path] = {&c.entries[i], &parsed.entry_docs[i]};
  for (std::size_t i = 0; i < c.pages.size(); ++i) documents[c.pages[i].path] = {&c.pages[i], &parsed.page_docs[i]};

  constexpr std::size_t flush_at = 1 << 20;
  Writer w;
  w.out.append(magic);
  w.str(binary);
  w.str(display_root);
  w.u32(static_cast<std::uint32_t>(documents.size()));
  w.u64(Hasher().add(w.out).value());
  for (const auto& [path, doc] : documents) {
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

std::string serialise_parse_cache(const ParsedCorpus& parsed, const Diagnostics& diagnostics,
                                  const std::string& binary, const std::string& display_root) {
  std::string out;
  write_parse_cache(parsed, diagnostics, binary, display_root, [&](std::string_view bytes) { out.append(bytes); });
  return out;
}

void write_parse_cache_file(const std::filesystem::path& file, const ParsedCorpus& parsed,
                            const Diagnostics& diagnostics, const std::string& binary, const std::string& display_root) {
  std::filesystem::path tmp = file;
  tmp += ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    write_parse_cache(parsed, diagnostics, binary, display_root, [&](std::string_view bytes) {
      out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    });
    out.close();
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(tmp, ignored);
      throw std::runtime_error("kan " + file.string() + " niet schrijven");
    }
  }
  std::filesystem::rename(tmp, file);
}

std::optional<ParseCacheFile> open_parse_cache(std::string bytes) {
  const std::string_view all(bytes);
  if (!all.starts_with(magic)) return std::nullopt;
  ParseCacheFile cache;
  Reader r(all.substr(magic.size()));
  cache.binary = r.str();
  cache.display_root = r.str();
  std::uint32_t n = r.count(16);
  std::size_t header_end = magic.size() + r.offset();
  if (!r.ok || r.u64() != Hasher().add(all.substr(0, header_end)).value()) return std::nullopt;
  for (; n > 0 && r.ok; --n) {
    std::size_t size = r.u32();
    std::size_t offset = magic.size() + r.offset();
    if (!r.skip(size) || r.u64() != Hasher().add(all.substr(offset, size)).value()) return std::nullopt;
    Reader head(all.substr(offset, size));
    std::string path = head.str();
    CachedRecord record{offset, size, head.str(), std::nullopt};
    if (!head.ok || !cache.records.emplace(std::move(path), std::move(record)).second) return std::nullopt;
  }
  if (!r.ok || !r.done()) return std::nullopt;
  cache.bytes = std::move(bytes);
  return cache;
}

std::optional<CachedFile> decode_record(const ParseCacheFile& cache, const CachedRecord& record) {
  Reader r(std::string_view(cache.bytes).substr(record.offset, record.size));
  r.str();  // path and hash: known already
  r.str();
  CachedFile f;
  f.document = read_document(r);
  f.markdown = read_markdown(r);
  f.diagnostics.resize(r.count(16));
  for (auto& d : f.diagnostics) d = read_diagnostic(r);
  if (!r.ok || !r.done() || f.document.hash != record.hash) return std::nullopt;
  return f;
}

std::optional<ParseCache> decode_parse_cache(std::string_view bytes) {
  auto file = open_parse_cache(std::string(bytes));
  if (!file) return std::nullopt;
  ParseCache cache{file->binary, file->display_root, {}};
  for (const auto& [path, record] : file->records) {
    auto f = decode_record(*file, record);
    if (!f || f->document.path != path) return std::nullopt;
    cache.files.emplace(path, std::move(*f));
  }
  return cache;
}

std::optional<ParseCacheFile> reusable_parse_cache(const std::filesystem::path& cache_file, const std::string& binary,
                                                   const std::string& display_root,
                                                   const std::map<std::string, InputFile>& inputs) {
  std::error_code ec;
  auto size = std::filesystem::file_size(cache_file, ec);
  std::ifstream in(cache_file, std::ios::binary);
  if (ec || !in) return std::nullopt;
  std::string bytes(size, '\0');
  if (!in.read(bytes.data(), static_cast<std::streamsize>(size))) return std::nullopt;
  auto cache = open_parse_cache(std::move(bytes));
  if (!cache || cache->binary != binary || cache->display_root != display_root) return std::nullopt;
  const std::string prefix = display_root + "/";
  std::erase_if(cache->records, [&](const auto& item) {
    const auto& [path, record] = item;
    if (!path.starts_with(prefix)) return true;
    auto input = inputs.find("content/" + path.substr(prefix.size()));
    return input == inputs.end() || input->second.hash != record.hash;
  });
  if (cache->records.empty()) return std::nullopt;
  return cache;
}

}  // namespace lexicon
