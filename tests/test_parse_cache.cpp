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

namespace {

// The shards of a cache directory, by file name.
std::map<std::string, std::string> shard_files(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out[e.path().filename().string()] = read_file(e.path());
  return out;
}

// What the input scan would report for the parsed documents (their blob ids), keyed as build_state.h keys inputs.
std::map<std::string, lexicon::InputFile> inputs_of(const lexicon::ParsedCorpus& parsed, const std::string& root) {
  std::map<std::string, lexicon::InputFile> inputs;
  for (const auto* docs : {&parsed.corpus.entries, &parsed.corpus.pages}) {
    for (const auto& d : *docs) inputs["content/" + d.path.substr(root.size() + 1)] = lexicon::InputFile{1, 1, d.hash};
  }
  return inputs;
}

}  // namespace

TEST_CASE("the cache is written in shards: unchanged shards are linked, unchanged records copied, the rest encoded") {
  lexicon::Diagnostics diagnostics;
  const fs::path content = fixtures_dir() / "good/content";
  lexicon::ParsedCorpus parsed = parse_dir(content, diagnostics);
  const std::string root = lexicon::display_root_of(content);
  TempDir tmp;
  lexicon::write_parse_cache_dir(tmp / "first", parsed, diagnostics, "binary 1", root);
  // Each shard is a cache file of its own, holding the documents whose path falls into it; together
  // they hold what one cache of everything holds.
  const auto first = shard_files(tmp / "first");
  REQUIRE(first.size() > 1);
  std::map<std::string, lexicon::CachedFile> together;
  for (const auto& [name, bytes] : first) {
    auto shard = lexicon::decode_parse_cache(bytes);
    REQUIRE(shard.has_value());
    for (auto& [path, file] : shard->files) {
      CHECK(lexicon::parse_cache_shard_name(lexicon::parse_cache_shard(path)) == name);
      together.emplace(path, std::move(file));
    }
  }
  auto whole = lexicon::decode_parse_cache(lexicon::serialise_parse_cache(parsed, diagnostics, "binary 1", root));
  REQUIRE(whole.has_value());
  CHECK(together.size() == whole->files.size());
  for (const auto& [path, file] : whole->files) {
    CAPTURE(path);
    REQUIRE(together.count(path));
    CHECK(together.at(path).document == file.document);
    CHECK(together.at(path).markdown == file.markdown);
  }

  // One entry changed since: its shard is written again, with its record encoded from what parsing gives
  // now; every other shard is the known one, hard-linked.
  auto known = lexicon::reusable_parse_cache(tmp / "first", "binary 1", root, inputs_of(parsed, root));
  REQUIRE(known.has_value());
  CHECK(known->records.size() == whole->files.size());
  {
    // A record decoded without its plain text says so, and plain_text_of gives that text through the
    // corpus's source; without a source it is an error, never an empty text.
    const auto& [path, record] = *known->records.begin();
    auto deferred = lexicon::decode_record(*known, record, true);
    auto full = lexicon::decode_record(*known, record);
    REQUIRE(deferred.has_value());
    REQUIRE(full.has_value());
    REQUIRE_FALSE(full->markdown.plain_text.empty());
    CHECK(deferred->markdown.plain_text_deferred);
    CHECK(deferred->markdown.plain_text.empty());
    CHECK(deferred->markdown.links == full->markdown.links);
    // Its front matter positions likewise stay in the cache (read there for a diagnostic).
    CHECK(deferred->document.positions_deferred);
    CHECK(deferred->document.field_positions.empty());
    REQUIRE_FALSE(full->document.field_positions.empty());
    lexicon::Document without = full->document;
    without.field_positions.clear();
    without.item_positions.clear();
    without.positions_deferred = true;
    CHECK(deferred->document == without);
    lexicon::ParsedCorpus holder;
    std::string scratch;
    CHECK_THROWS(lexicon::plain_text_of(holder, deferred->document, deferred->markdown, scratch));
    holder.deferred_plain_text = [&](const lexicon::Document& d) {
      return lexicon::decode_record(*known, known->records.at(d.path))->markdown.plain_text;
    };
    CHECK(lexicon::plain_text_of(holder, deferred->document, deferred->markdown, scratch) == full->markdown.plain_text);
    CHECK(&lexicon::plain_text_of(holder, full->document, full->markdown, scratch) == &full->markdown.plain_text);
  }
  REQUIRE(parsed.corpus.entries.size() > 2);
  auto& changed = parsed.corpus.entries[1];
  changed.title += " (herzien)";
  changed.hash = "0123456789abcdef0123456789abcdef01234567";
  const std::string changed_shard = lexicon::parse_cache_shard_name(lexicon::parse_cache_shard(changed.path));
  lexicon::write_parse_cache_dir(tmp / "second", parsed, diagnostics, "binary 1", root, &*known);
  lexicon::write_parse_cache_dir(tmp / "clean", parsed, diagnostics, "binary 1", root);
  CHECK(shard_files(tmp / "second") == shard_files(tmp / "clean"));
  for (const auto& [name, bytes] : first) {
    CAPTURE(name);
    CHECK(fs::equivalent(tmp / "first" / name, tmp / "second" / name) == (name != changed_shard));
  }
  auto back = lexicon::decode_parse_cache(read_file(tmp / "second" / changed_shard));
  REQUIRE(back.has_value());
  CHECK(back->files.at(changed.path).document.title == changed.title);

  // Records are taken by the file's blob id alone, not encoded again: an entry altered in memory but not
  // on disk keeps its old record, in a linked shard or (beside a changed entry) in a rewritten one.
  const auto neighbour = std::find_if(parsed.corpus.entries.begin(), parsed.corpus.entries.end(), [&](const auto& e) {
    return e.path != changed.path && lexicon::parse_cache_shard_name(lexicon::parse_cache_shard(e.path)) == changed_shard;
  });
  auto& elsewhere = parsed.corpus.entries[parsed.corpus.entries[0].path == changed.path ? 2 : 0];
  for (auto* d : {&elsewhere, neighbour == parsed.corpus.entries.end() ? nullptr : &*neighbour}) {
    if (!d) continue;
    CAPTURE(d->path);
    const std::string summary = d->summary;
    d->summary = "alleen in het geheugen";
    fs::remove_all(tmp / "third");
    lexicon::write_parse_cache_dir(tmp / "third", parsed, diagnostics, "binary 1", root, &*known);
    auto shard = lexicon::decode_parse_cache(read_file(tmp / "third" / lexicon::parse_cache_shard_name(lexicon::parse_cache_shard(d->path))));
    REQUIRE(shard.has_value());
    CHECK(shard->files.at(d->path).document.summary == summary);
    d->summary = summary;
  }
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
  const fs::path shards = tmp / "site" / lexicon::parse_cache_path;
  std::map<std::string, std::string> shards_before = shard_files(shards);
  auto edit = lexicon::run_build(options(tmp), false);
  REQUIRE_MESSAGE(edit.exit_code == 0, all_diagnostics(edit));
  CHECK(edit.parsed == 1);
  // The new generation's cache: the edited file's shard written again, every other one linked from the
  // generation before (which is now the spare).
  std::size_t linked = 0;
  for (const auto& [name, bytes] : shard_files(shards)) {
    linked += fs::equivalent(shards / name, tmp / ".site.spare" / lexicon::parse_cache_path / name);
  }
  CHECK(shards_before.size() > 1);
  CHECK(linked == shards_before.size() - 1);
  CHECK(all_diagnostics(edit) == warnings);  // with the source line under the caret, as before
  CHECK(read_file(tmp / "site/begrippen/client/index.html").find("Nog een zin.") != std::string::npos);

  // A damaged cache is not used: everything is parsed again, with the same result. (Replaced, not
  // written in place: the shards are hard links shared with the spare.)
  for (auto [name, cache] : shard_files(shards)) {
    cache[cache.size() / 2] = static_cast<char>(cache[cache.size() / 2] ^ 1);
    fs::remove(shards / name);
    write_file(shards / name, cache);
  }
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

TEST_CASE("a cached document's front matter positions are read from the cache only for a diagnostic, and are right") {
  TempDir tmp("parsecache-positions");
  copy_tree(fixtures_dir() / "good/content", tmp / "content");
  auto first = lexicon::run_build(options(tmp), false);
  REQUIRE_MESSAGE(first.exit_code == 0, all_diagnostics(first));
  // Without the theme "ethiek", the entries that name it (all cached: none of them changed) are wrong
  // where their front matter names it.
  std::string themes = read_file(tmp / "content/themas.yaml");
  const auto from = themes.find("ethiek:");
  REQUIRE(from != std::string::npos);
  write_file(tmp / "content/themas.yaml", themes.substr(0, from));
  auto cached = lexicon::run_build(options(tmp), false);
  CHECK(cached.exit_code == 1);
  CHECK(cached.parsed == 0);
  const std::string reported = all_diagnostics(cached);
  CHECK(reported.find("leefwereld.md:3:10: error: onbekend thema 'ethiek'") != std::string::npos);
  // The same as parsing every file gives.
  lexicon::BuildOptions fresh = options(tmp);
  fresh.site_dir = tmp / "other-site";
  auto parsed = lexicon::run_build(fresh, false);
  CHECK(parsed.parsed > 6);
  CHECK(all_diagnostics(parsed) == reported);
}
