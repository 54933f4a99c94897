#include "term_cache.h"

#include <bit>
#include <functional>

#include "binary_io.h"
#include "hash.h"

namespace lexicon {

namespace {

// Version line: a change to what is stored (or to how words are analysed) needs a new one.
constexpr std::string_view magic = "lexicon term-cache 2\n";

void write_pairs(BinaryWriter& w, const std::vector<std::pair<std::uint32_t, unsigned>>& pairs) {
  w.u32(static_cast<std::uint32_t>(pairs.size()));
  for (const auto& [id, n] : pairs) {
    w.u32(id);
    w.u32(n);
  }
}

// Ids must number `limit` things, ascending, each at most once; counts are never 0.
bool read_pairs(BinaryReader& r, std::vector<std::pair<std::uint32_t, unsigned>>& pairs, std::size_t limit) {
  pairs.resize(r.count(8));
  // The whole run checked for length once (3.4 million pairs at 10,000 entries).
  const char* at = r.take(8 * pairs.size());
  if (!at) return false;
  for (std::size_t k = 0; k < pairs.size(); ++k, at += 8) {
    pairs[k].first = BinaryReader::u32_at(at);
    pairs[k].second = BinaryReader::u32_at(at + 4);
    if (pairs[k].first >= limit || pairs[k].second == 0 || (k > 0 && pairs[k].first <= pairs[k - 1].first)) return false;
  }
  return r.ok;
}

void write_memo(BinaryWriter& w, const VerwantMemo& m) {
  w.str(m.settings);
  w.strings(m.slugs);
  w.strings(m.hashes);
  w.strings(m.terms);
  for (std::size_t t = 0; t < m.terms.size(); ++t) {
    w.u32(m.term_entries[t]);
    w.u64(m.term_total[t]);
  }
  for (std::size_t i = 0; i < m.slugs.size(); ++i) {
    w.u32(static_cast<std::uint32_t>(m.related[i].size()));
    for (auto r : m.related[i]) w.i32(r);
    w.u32(static_cast<std::uint32_t>(m.lists[i].size()));
    for (const auto& item : m.lists[i]) {
      w.i32(item.entry);
      w.u64(std::bit_cast<std::uint64_t>(item.weight));
      w.u32(static_cast<std::uint32_t>(item.reason.size()));
      for (auto id : item.reason) w.u32(id);
    }
  }
}

std::optional<VerwantMemo> read_memo(BinaryReader& r) {
  VerwantMemo m;
  m.settings = r.str();
  m.slugs = r.strings();
  m.hashes = r.strings();
  m.terms = r.strings();
  if (!r.ok || m.hashes.size() != m.slugs.size()) return std::nullopt;
  for (std::size_t t = 0; t < m.terms.size(); ++t) {
    m.term_entries.push_back(r.u32());
    m.term_total.push_back(r.u64());
  }
  const auto entries = static_cast<std::int32_t>(m.slugs.size());
  for (std::size_t i = 0; i < m.slugs.size() && r.ok; ++i) {
    auto& related = m.related.emplace_back(r.count(4));
    for (auto& x : related) {
      x = r.i32();
      if (x < 0 || x >= entries) return std::nullopt;
    }
    auto& items = m.lists.emplace_back(r.count(16));
    for (auto& item : items) {
      item.entry = r.i32();
      item.weight = std::bit_cast<double>(r.u64());
      item.reason.resize(r.count(4));
      for (auto& id : item.reason) {
        id = r.u32();
        if (id >= m.terms.size()) return std::nullopt;
      }
      if (item.entry < 0 || item.entry >= entries) return std::nullopt;
    }
  }
  if (!r.ok) return std::nullopt;
  return m;
}

// The header and vocabulary, then one record per entry, each followed by the checksum of its bytes, then
// Verwant's memo (if any), followed by the checksum of its bytes.
void write_term_cache(const TermAnalysis& a, const std::string& binary, const std::function<void(std::string_view)>& sink) {
  constexpr std::size_t flush_at = 1 << 20;
  BinaryWriter w;
  w.out.append(magic);
  w.str(binary);
  w.strings(a.terms);
  w.strings(a.forms);
  for (auto t : a.form_term) w.u32(t);
  w.u32(static_cast<std::uint32_t>(a.entries.size()));
  w.u64(Hasher().add(w.out).value());
  for (const auto& [hash, words] : a.entries) {
    std::size_t from = w.out.size();
    w.str(hash);
    write_pairs(w, words.terms);
    write_pairs(w, words.forms);
    w.u64(Hasher().add(std::string_view(w.out).substr(from)).value());
    if (w.out.size() >= flush_at) {
      sink(w.out);
      w.out.clear();
    }
  }
  std::size_t from = w.out.size();
  w.u32(a.verwant ? 1 : 0);
  if (a.verwant) write_memo(w, *a.verwant);
  w.u64(Hasher().add(std::string_view(w.out).substr(from)).value());
  sink(w.out);
}

}  // namespace

std::string serialise_term_cache(const TermAnalysis& analysis, const std::string& binary) {
  std::string out;
  write_term_cache(analysis, binary, [&](std::string_view bytes) { out.append(bytes); });
  return out;
}

std::optional<TermAnalysis> decode_term_cache(std::string_view bytes, const std::string& binary) {
  if (!bytes.starts_with(magic)) return std::nullopt;
  BinaryReader r(bytes.substr(magic.size()));
  if (r.str() != binary) return std::nullopt;
  TermAnalysis a;
  a.terms = r.strings();
  a.forms = r.strings();
  a.form_term.resize(a.forms.size());
  for (auto& t : a.form_term) {
    t = r.u32();
    if (t >= a.terms.size()) return std::nullopt;
  }
  std::uint32_t n = r.count(20);  // a record is at least 20 bytes
  std::size_t end = magic.size() + r.offset();
  if (!r.ok || r.u64() != Hasher().add(bytes.substr(0, end)).value()) return std::nullopt;
  for (; n > 0; --n) {
    std::size_t from = magic.size() + r.offset();
    std::string hash = r.str();
    EntryWords words;
    if (!read_pairs(r, words.terms, a.terms.size()) || !read_pairs(r, words.forms, a.forms.size())) return std::nullopt;
    std::size_t to = magic.size() + r.offset();
    if (r.u64() != Hasher().add(bytes.substr(from, to - from)).value() || !r.ok) return std::nullopt;
    if (!a.entries.emplace(std::move(hash), std::move(words)).second) return std::nullopt;
  }
  std::size_t from = magic.size() + r.offset();
  const std::uint32_t has_memo = r.u32();
  if (has_memo > 1) return std::nullopt;
  if (has_memo) {
    a.verwant = read_memo(r);
    if (!a.verwant) return std::nullopt;
  }
  std::size_t to = magic.size() + r.offset();
  if (!r.ok || r.u64() != Hasher().add(bytes.substr(from, to - from)).value()) return std::nullopt;
  if (!r.ok || !r.done()) return std::nullopt;
  return a;
}

void write_term_cache_file(const std::filesystem::path& file, const TermAnalysis& analysis, const std::string& binary) {
  write_file_in_pieces(file, [&](const ByteSink& sink) { write_term_cache(analysis, binary, sink); });
}

std::optional<TermAnalysis> read_term_cache_file(const std::filesystem::path& file, const std::string& binary) {
  auto bytes = FileBytes::read(file);
  if (!bytes) return std::nullopt;
  return decode_term_cache(bytes->view(), binary);
}

}  // namespace lexicon
