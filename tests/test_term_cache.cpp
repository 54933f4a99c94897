// The term cache (term_cache.h): an incremental build analyses only the entries whose file changed, and
// what it gets is exactly what analysing every entry gives; a damaged or foreign cache is never used.
#include <doctest/doctest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "build_helpers.h"
#include "content.h"
#include "indexer.h"
#include "related_terms.h"
#include "resolve.h"
#include "term_cache.h"

using namespace testutil;

namespace {

lexicon::ParsedCorpus parse_dir(const fs::path& content) {
  lexicon::Diagnostics diagnostics;
  return lexicon::parse_corpus(lexicon::load_corpus(content, diagnostics, 2), 2, diagnostics);
}

// Every entry's terms with their wdf, and every term's totals: all that Verwant's weights are made from.
std::string dump(const lexicon::EntryTermIndex& index) {
  std::string out;
  for (std::size_t i = 0; i < index.entry_count; ++i) {
    out += std::to_string(i) + ":";
    for (std::size_t k = index.entry_start[i]; k < index.entry_start[i + 1]; ++k) {
      out += " " + index.terms[index.by_entry[k].id] + "=" + std::to_string(index.by_entry[k].wdf);
    }
    out += "\n";
  }
  for (std::uint32_t t = 0; t < index.terms.size(); ++t) {
    out += index.terms[t] + " " + std::to_string(index.entries_using(t)) + " " + std::to_string(index.term_total[t]) + "\n";
  }
  for (const auto& [term, word] : index.surface) out += term + " -> " + word + "\n";
  return out;
}

}  // namespace

TEST_CASE("an analysis from the term cache equals analysing every entry, and only changed files are analysed") {
  TempDir tmp("termcache");
  copy_tree(source_dir() / "content", tmp / "content");
  lexicon::TermAnalysis first;
  lexicon::ParsedCorpus before = parse_dir(tmp / "content");
  const std::size_t entries_before = before.corpus.entries.size();
  REQUIRE(entries_before > 20);
  lexicon::EntryTermIndex all_before = lexicon::suggestion_terms(before, {.jobs = 2}, nullptr, &first);
  CHECK(all_before.analysed == entries_before);
  const std::string bytes = lexicon::serialise_term_cache(first, "binary 1");

  // One entry edited (a new word and more of an old one), one removed, one added, and one copied to a
  // second file (byte-identical: both take the cached words of one blob id).
  const fs::path begrippen = tmp / "content/begrippen";
  write_file(begrippen / "presentie.md", read_file(begrippen / "presentie.md") +
                                             "\nEen zin met het woord zeilwagenvloot en nog eens presentie, presentie.\n");
  fs::remove(begrippen / "nabijheid.md");
  write_file(begrippen / "toegevoegd.md", "---\ntitle: Toegevoegd begrip\nsummary: Een begrip dat de test toevoegt.\n"
                                          "themes: [presentie]\n---\nOver zeilwagenvloot en aandacht.\n");
  const fs::path twin = begrippen / fs::path(before.corpus.entries.front().path).filename();
  fs::copy_file(twin, begrippen / "tweeling-van-het-eerste.md");
  lexicon::ParsedCorpus after = parse_dir(tmp / "content");
  REQUIRE(after.corpus.entries.size() == entries_before + 1);

  auto known = lexicon::decode_term_cache(bytes, "binary 1");
  REQUIRE(known.has_value());
  lexicon::TermAnalysis incremental, clean;
  lexicon::EntryTermIndex from_cache = lexicon::suggestion_terms(after, {.jobs = 2}, &*known, &incremental);
  lexicon::EntryTermIndex from_scratch = lexicon::suggestion_terms(after, {.jobs = 2}, nullptr, &clean);
  CHECK(from_cache.analysed == 2);
  CHECK(from_scratch.analysed == entries_before + 1);
  CHECK(dump(from_cache) == dump(from_scratch));
  CHECK(dump(from_cache) != dump(all_before));
  auto has_new_word = [](const lexicon::TermAnalysis& a) {
    return std::any_of(a.terms.begin(), a.terms.end(), [](const std::string& t) { return t.starts_with("Zzeilw"); });  // the stemmer makes it "zeilwanvloot"
  };
  // The next cache is the same whichever entries came from this one; the removed entry is gone from it.
  CHECK(lexicon::serialise_term_cache(incremental, "b") == lexicon::serialise_term_cache(clean, "b"));
  CHECK(has_new_word(incremental));
  CHECK_FALSE(has_new_word(first));
  CHECK(incremental.entries.size() == entries_before);  // by blob id: the twins share one
  CHECK(clean.entries.size() == entries_before);
}

TEST_CASE("a damaged term cache, or one from another binary, is refused") {
  lexicon::TermAnalysis analysis;
  lexicon::suggestion_terms(parse_dir(fixtures_dir() / "good/content"), {.jobs = 1}, nullptr, &analysis);
  REQUIRE(analysis.entries.size() > 3);
  const std::string bytes = lexicon::serialise_term_cache(analysis, "b");
  auto back = lexicon::decode_term_cache(bytes, "b");
  REQUIRE(back.has_value());
  CHECK(lexicon::serialise_term_cache(*back, "b") == bytes);
  CHECK_FALSE(lexicon::decode_term_cache(bytes, "another binary").has_value());
  for (std::size_t cut : {std::size_t{0}, std::size_t{10}, bytes.size() / 2, bytes.size() - 1}) {
    CHECK_FALSE(lexicon::decode_term_cache(std::string_view(bytes).substr(0, cut), "b").has_value());
  }
  for (std::size_t at = 0; at < bytes.size(); at += 53) {
    std::string damaged = bytes;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x20);
    CHECK_FALSE(lexicon::decode_term_cache(damaged, "b").has_value());
  }
  CHECK_FALSE(lexicon::decode_term_cache(bytes + "x", "b").has_value());

  TempDir tmp("termcache-file");
  lexicon::write_term_cache_file(tmp / "cache", analysis, "b");
  CHECK(read_file(tmp / "cache") == bytes);
  CHECK(lexicon::read_term_cache_file(tmp / "cache", "b").has_value());
  CHECK_FALSE(lexicon::read_term_cache_file(tmp / "missing", "b").has_value());
}

namespace {

// Verwant from the files in `content`, with the term cache `bytes` of the build before (empty: none);
// gives the lists, how many entries were computed, and the cache for the next build.
struct VerwantRun {
  std::vector<std::vector<lexicon::Suggestion>> lists;
  std::size_t computed = 0;
  std::string cache;
};
VerwantRun verwant(const fs::path& content, const std::string& bytes) {
  lexicon::ParsedCorpus parsed = parse_dir(content);
  lexicon::Diagnostics diagnostics;
  lexicon::LinkGraph graph = lexicon::resolve(parsed, diagnostics);
  std::optional<lexicon::TermAnalysis> known;
  if (!bytes.empty()) {
    known = lexicon::decode_term_cache(bytes, "b");
    REQUIRE(known.has_value());
    REQUIRE(known->verwant.has_value());
  }
  lexicon::TermAnalysis next;
  const lexicon::SuggestionOptions options{.jobs = 2};
  lexicon::EntryTermIndex index = lexicon::suggestion_terms(parsed, options, known ? &*known : nullptr, &next);
  VerwantRun run;
  run.lists = lexicon::compute_suggestions(parsed, graph, index, options, &next.verwant.emplace(), &run.computed);
  run.cache = lexicon::serialise_term_cache(next, "b");
  return run;
}

std::string describe(const std::vector<std::vector<lexicon::Suggestion>>& lists) {
  std::string out;
  for (std::size_t i = 0; i < lists.size(); ++i) {
    out += std::to_string(i) + ":";
    for (const auto& s : lists[i]) {
      out += " " + std::to_string(s.entry) + "@" + fmt::format("{:a}", s.weight) + "(";
      for (const auto& w : s.reason) out += w + ",";
      out += ")";
    }
    out += "\n";
  }
  return out;
}

}  // namespace

TEST_CASE("Verwant keeps the lists no change can reach and recomputes the rest: the same lists as a clean build") {
  TempDir tmp("verwantmemo");
  copy_tree(source_dir() / "content", tmp / "content");
  const fs::path begrippen = tmp / "content/begrippen";
  VerwantRun first = verwant(tmp / "content", "");
  const std::size_t n = first.lists.size();
  REQUIRE(n > 20);
  CHECK(first.computed == n);

  // Nothing changed: nothing computed, the same lists.
  VerwantRun same = verwant(tmp / "content", first.cache);
  CHECK(same.computed == 0);
  CHECK(describe(same.lists) == describe(first.lists));

  // A sentence with a rare word of one entry and a common one: the entries using those words are
  // computed again, the others keep theirs; the lists are what a build without the memo gives.
  write_file(begrippen / "presentie.md", read_file(begrippen / "presentie.md") +
                                             "\nZorgmijding: mijden en nog eens mijden, wederzijds en wederzijds.\n");
  VerwantRun edited = verwant(tmp / "content", same.cache);
  VerwantRun clean = verwant(tmp / "content", "");
  CHECK(describe(edited.lists) == describe(clean.lists));
  CHECK(describe(edited.lists) != describe(first.lists));
  CHECK(edited.computed > 0);
  CHECK(edited.computed < n);

  // The same words moved from one entry to another (totals unchanged), and a Zie ook added elsewhere.
  const std::string zorgmijding = read_file(begrippen / "zorgmijding.md");
  write_file(begrippen / "presentie.md", read_file(begrippen / "presentie.md") + "\nTrouw.\n");
  write_file(begrippen / "zorgmijding.md", zorgmijding + "\nTrouw.\n");
  VerwantRun moved_from = verwant(tmp / "content", edited.cache);
  write_file(begrippen / "zorgmijding.md", zorgmijding + "\nTrouw en trouw.\n");
  write_file(begrippen / "presentie.md", read_file(begrippen / "presentie.md").substr(0, read_file(begrippen / "presentie.md").size() - 7));
  VerwantRun moved = verwant(tmp / "content", moved_from.cache);
  CHECK(describe(moved.lists) == describe(verwant(tmp / "content", "").lists));
  CHECK(moved.computed < n);

  // An entry removed: every list is computed again (entry numbers shift).
  fs::remove(begrippen / "ervaringskennis.md");
  VerwantRun removed = verwant(tmp / "content", moved.cache);
  CHECK(removed.computed == n - 1);
  CHECK(describe(removed.lists) == describe(verwant(tmp / "content", "").lists));
}

TEST_CASE("a term cache with Verwant's memo: damaged or cut anywhere, it is not used") {
  TempDir tmp("verwantmemo-damage");
  copy_tree(source_dir() / "content", tmp / "content");
  const std::string bytes = verwant(tmp / "content", "").cache;
  auto decoded = lexicon::decode_term_cache(bytes, "b");
  REQUIRE(decoded.has_value());
  REQUIRE(decoded->verwant.has_value());
  CHECK(lexicon::serialise_term_cache(*decoded, "b") == bytes);
  // The memo is the end of the file, after what the same analysis without one ends with (a flag and a
  // checksum, 12 bytes).
  lexicon::TermAnalysis without = *decoded;
  without.verwant.reset();
  const std::size_t from = lexicon::serialise_term_cache(without, "b").size() - 12;
  REQUIRE(bytes.size() > from + 1000);
  for (std::size_t at = from; at < bytes.size(); at += 31) {
    std::string damaged = bytes;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x41);
    CHECK_FALSE(lexicon::decode_term_cache(damaged, "b").has_value());
    CHECK_FALSE(lexicon::decode_term_cache(std::string_view(bytes).substr(0, at), "b").has_value());
  }
}
