// The parse cache: what it stores comes back exactly as a fresh parse gives it, a damaged cache is never
// used, and an incremental build parses only the files that changed while reporting every file's
// diagnostics as a clean build does. (That its builds equal clean builds is test_incremental's sequence.)
#include <doctest/doctest.h>

#include "build.h"
#include "binary_io.h"
#include "build_helpers.h"
#include "build_state.h"
#include "content.h"
#include "parse_cache.h"
#include "resolve.h"

using namespace testutil;

namespace {

lexicon::ParsedCorpus parse_dir(const fs::path& content, lexicon::Diagnostics& diagnostics) {
  return lexicon::parse_corpus(lexicon::load_corpus(content, diagnostics, 2), 2, diagnostics);
}

lexicon::BuildOptions options(const TempDir& tmp) {
  lexicon::BuildOptions o;
  o.content_dir = tmp / "content";
  o.site_dir = tmp / "site";
  o.templates_dir = templates_dir();
  o.jobs = 2;
  return o;
}

}  // namespace

TEST_CASE("the parse cache gives back every document, parse and diagnostic as parsing gave them") {
  for (const fs::path content : {source_dir() / "content", fixtures_dir() / "good/content", fixtures_dir() / "hostile/content"}) {
    CAPTURE(content.string());
    lexicon::Diagnostics diagnostics;
    lexicon::ParsedCorpus parsed = parse_dir(content, diagnostics);
    const std::string root = lexicon::display_root_of(content);
    auto cache = lexicon::decode_parse_cache(lexicon::serialise_parse_cache(parsed, diagnostics, "binary 1", root));
    REQUIRE(cache.has_value());
    CHECK(cache->binary == "binary 1");
    CHECK(cache->display_root == root);
    const auto& c = parsed.corpus;
    REQUIRE(cache->files.size() == c.entries.size() + c.pages.size());
    std::size_t with_diagnostics = 0;
    auto compare = [&](const lexicon::Document& d, const lexicon::MarkdownDoc& m) {
      CAPTURE(d.path);
      auto it = cache->files.find(d.path);
      REQUIRE(it != cache->files.end());
      lexicon::Document expected = d;
      expected.text.clear();  // read again from the file when needed
      expected.body.clear();
      CHECK(it->second.document == expected);
      CHECK(it->second.markdown == m);
      CHECK_FALSE(it->second.document.hash.empty());
      std::vector<lexicon::Diagnostic> own;
      for (const auto& diag : diagnostics.items) {
        if (diag.path == d.path) own.push_back(diag);
      }
      CHECK(it->second.diagnostics == own);
      with_diagnostics += !own.empty();
    };
    for (std::size_t i = 0; i < c.entries.size(); ++i) compare(c.entries[i], parsed.entry_docs[i]);
    for (std::size_t i = 0; i < c.pages.size(); ++i) compare(c.pages[i], parsed.page_docs[i]);
    if (content.filename() == "content" && content.parent_path().filename() == "hostile") CHECK(with_diagnostics > 0);
  }
}

TEST_CASE("writing the cache copies the records of unchanged files from the cache reused, and encodes the rest") {
  lexicon::Diagnostics diagnostics;
  const fs::path content = fixtures_dir() / "good/content";
  lexicon::ParsedCorpus parsed = parse_dir(content, diagnostics);
  const std::string root = lexicon::display_root_of(content);
  const std::string encoded = lexicon::serialise_parse_cache(parsed, diagnostics, "binary 1", root);
  auto known = lexicon::open_parse_cache(lexicon::FileBytes(encoded));
  REQUIRE(known.has_value());
  TempDir tmp;
  lexicon::write_parse_cache_file(tmp / "same", parsed, diagnostics, "binary 1", root, &*known);
  CHECK(read_file(tmp / "same") == encoded);

  // One entry changed since: its record is encoded from what parsing gives now, the others are copied.
  REQUIRE(parsed.corpus.entries.size() > 2);
  auto& changed = parsed.corpus.entries[1];
  changed.title += " (herzien)";
  changed.hash = "0123456789abcdef0123456789abcdef01234567";
  const std::string now = lexicon::serialise_parse_cache(parsed, diagnostics, "binary 1", root);
  REQUIRE(now != encoded);
  lexicon::write_parse_cache_file(tmp / "changed", parsed, diagnostics, "binary 1", root, &*known);
  CHECK(read_file(tmp / "changed") == now);
  auto back = lexicon::decode_parse_cache(read_file(tmp / "changed"));
  REQUIRE(back.has_value());
  CHECK(back->files.at(changed.path).document.title == changed.title);
  // The records of the others are the known ones, not encoded again: a record is taken by the file's blob
  // id alone (an entry altered in memory but not on disk keeps its old record).
  auto& same_file = parsed.corpus.entries[2];
  const std::string summary = same_file.summary;
  same_file.summary = "alleen in het geheugen";
  lexicon::write_parse_cache_file(tmp / "copied", parsed, diagnostics, "binary 1", root, &*known);
  CHECK(read_file(tmp / "copied") == now);
  back = lexicon::decode_parse_cache(read_file(tmp / "copied"));
  REQUIRE(back.has_value());
  CHECK(back->files.at(same_file.path).document.summary == summary);
}

TEST_CASE("a damaged parse cache is refused, never half read") {
  lexicon::Diagnostics diagnostics;
  lexicon::ParsedCorpus parsed = parse_dir(fixtures_dir() / "good/content", diagnostics);
  const std::string bytes = lexicon::serialise_parse_cache(parsed, diagnostics, "b", "r");
  REQUIRE(lexicon::decode_parse_cache(bytes).has_value());
  for (std::size_t cut : {std::size_t{0}, std::size_t{10}, bytes.size() / 2, bytes.size() - 1}) {
    CHECK_FALSE(lexicon::decode_parse_cache(std::string_view(bytes).substr(0, cut)).has_value());
  }
  for (std::size_t at = 0; at < bytes.size(); at += 97) {
    std::string damaged = bytes;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x20);
    CHECK_FALSE(lexicon::decode_parse_cache(damaged).has_value());
  }
  CHECK_FALSE(lexicon::decode_parse_cache(bytes + "x").has_value());
}

TEST_CASE("an incremental build parses only changed files and reports cached files' warnings again") {
  TempDir tmp("parsecache");
  copy_tree(fixtures_dir() / "good/content", tmp / "content");
  // A warning from loading (empty summary), to come back from the cache.
  write_file(tmp / "content/begrippen/nabijheid.md",
             "---\ntitle: Nabijheid\nthemes: [kern]\n---\nDichtbij zijn, zie [[presentie]].\n");
  auto first = lexicon::run_build(options(tmp), false);
  REQUIRE_MESSAGE(first.exit_code == 0, all_diagnostics(first));
  const std::size_t documents = first.parsed;
  CHECK(documents > 6);
  const std::string warnings = all_diagnostics(first);
  CHECK(warnings.find("nabijheid.md:2:1: warning: lege samenvatting") != std::string::npos);
  CHECK(fs::exists(tmp / "site" / lexicon::parse_cache_path));

  write_file(tmp / "content/begrippen/client.md", read_file(tmp / "content/begrippen/client.md") + "\nNog een zin.\n");
  auto edit = lexicon::run_build(options(tmp), false);
  REQUIRE_MESSAGE(edit.exit_code == 0, all_diagnostics(edit));
  CHECK(edit.parsed == 1);
  CHECK(all_diagnostics(edit) == warnings);  // with the source line under the caret, as before
  CHECK(read_file(tmp / "site/begrippen/client/index.html").find("Nog een zin.") != std::string::npos);

  // A damaged cache is not used: everything is parsed again, with the same result.
  std::string cache = read_file(tmp / "site" / lexicon::parse_cache_path);
  cache[cache.size() / 2] = static_cast<char>(cache[cache.size() / 2] ^ 1);
  write_file(tmp / "site" / lexicon::parse_cache_path, cache);
  write_file(tmp / "content/begrippen/client.md", read_file(tmp / "content/begrippen/client.md") + "\nEn nog een.\n");
  auto damaged = lexicon::run_build(options(tmp), false);
  REQUIRE_MESSAGE(damaged.exit_code == 0, all_diagnostics(damaged));
  CHECK(damaged.parsed == documents);
  CHECK(all_diagnostics(damaged) == warnings);

  // A page whose body comes from the cache is rendered from its file when it must be rendered again
  // (here: for the changed title of an entry it links to).
  std::string presentie = read_file(tmp / "site/begrippen/presentie/index.html");
  write_file(tmp / "content/begrippen/client.md",
             [&] { std::string t = read_file(tmp / "content/begrippen/client.md"); t.replace(t.find("title: Cliënt"), 13, "title: Cliënt en naaste"); return t; }());
  auto title = lexicon::run_build(options(tmp), false);
  REQUIRE_MESSAGE(title.exit_code == 0, all_diagnostics(title));
  CHECK(title.parsed == 1);
  std::string again = read_file(tmp / "site/begrippen/presentie/index.html");
  CHECK(again != presentie);
  CHECK(again.find("Cliënt en naaste") != std::string::npos);
}

TEST_CASE("read_body gives the body parsing saw, and refuses a file that changed since") {
  TempDir tmp("readbody");
  copy_tree(fixtures_dir() / "good/content", tmp / "content");
  lexicon::Diagnostics diagnostics;
  lexicon::Corpus corpus = lexicon::load_corpus(tmp / "content", diagnostics);
  REQUIRE_FALSE(corpus.entries.empty());
  for (const auto& e : corpus.entries) CHECK(lexicon::read_body(e) == e.body);
  const lexicon::Document& first = corpus.entries.front();
  write_file(first.path, read_file(first.path) + "\nLater toegevoegd.\n");
  CHECK_THROWS_AS(lexicon::read_body(first), std::runtime_error);
}

TEST_CASE("FileBytes maps a file whole and keeps showing it after the file is replaced by rename") {
  TempDir tmp;
  const fs::path file = tmp / "cache";
  const std::string first(100000, 'a');
  {
    std::ofstream(file, std::ios::binary) << first;
  }
  auto bytes = lexicon::FileBytes::read(file);
  REQUIRE(bytes);
  CHECK(bytes->view() == first);
  // A cache is only ever replaced by rename (write_file_in_pieces): the mapping keeps the old file.
  lexicon::write_file_in_pieces(file, [](const lexicon::ByteSink& sink) { sink("nieuw"); });
  CHECK(bytes->view() == first);
  auto moved = std::move(*bytes);
  CHECK(moved.view() == first);
  CHECK(bytes->view().empty());
  CHECK(lexicon::FileBytes::read(file)->view() == "nieuw");

  std::ofstream(tmp / "leeg", std::ios::binary).flush();
  auto empty = lexicon::FileBytes::read(tmp / "leeg");
  REQUIRE(empty);
  CHECK(empty->view().empty());
  CHECK_FALSE(lexicon::FileBytes::read(tmp / "ontbreekt"));
  CHECK_FALSE(lexicon::FileBytes::read(tmp.path()));  // a directory is not a cache file
}
