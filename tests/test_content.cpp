// Checks on the real lexicon in content/ (the editorial rules of the project).
#include <doctest/doctest.h>

#include <memory>
#include <set>
#include <string>

#include "build_helpers.h"
#include "content.h"
#include "resolve.h"
#include "text.h"

using namespace lexicon;
using namespace testutil;

namespace {

struct Real {
  Diagnostics diags;
  ParsedCorpus parsed;
  LinkGraph graph;
};

const Real& real() {
  static std::unique_ptr<Real> r;
  if (!r) {
    r = std::make_unique<Real>();
    auto corpus = load_corpus(source_dir() / "content", r->diags);
    r->parsed = parse_corpus(std::move(corpus), 2, r->diags);
    r->graph = resolve(r->parsed, r->diags);
    sort_diagnostics(r->diags);
  }
  return *r;
}

const std::vector<Document>& entries() { return real().parsed.corpus.entries; }

}  // namespace

TEST_CASE("content: no errors and no warnings") {
  const auto& r = real();
  INFO(format_all(r.diags, DiagnosticFormat::text));
  CHECK(r.diags.count(Severity::error) == 0);
  CHECK(r.diags.count(Severity::warning) == 0);
}

TEST_CASE("content: at least 70 entries, each with a summary") {
  CHECK(entries().size() >= 70);
  for (const auto& e : entries()) {
    CAPTURE(e.path);
    CHECK_FALSE(trim(e.summary).empty());
    CHECK_FALSE(e.title.empty());
  }
}

TEST_CASE("content: 8 themes, each with a description and at least 5 entries") {
  const auto& r = real();
  REQUIRE(r.parsed.corpus.themes.size() == 8);
  for (const auto& t : r.parsed.corpus.themes) {
    CAPTURE(t.slug);
    CHECK_FALSE(trim(t.description).empty());
    CHECK_FALSE(t.name.empty());
    auto it = r.graph.theme_entries.find(t.slug);
    REQUIRE(it != r.graph.theme_entries.end());
    CHECK(it->second.size() >= 5);
  }
  for (const auto& e : entries()) {
    CAPTURE(e.path);
    CHECK_FALSE(e.themes.empty());
  }
}

TEST_CASE("content: every entry body has 200-900 words") {
  const auto& r = real();
  for (std::size_t i = 0; i < entries().size(); ++i) {
    std::size_t words = count_words(r.parsed.entry_docs[i].plain_text);
    CAPTURE(entries()[i].path);
    CAPTURE(words);
    CHECK(words >= 200);
    CHECK(words <= 900);
  }
}

TEST_CASE("content: every entry links to at least 3 others and is linked from at least 1") {
  const auto& r = real();
  for (std::size_t i = 0; i < entries().size(); ++i) {
    CAPTURE(entries()[i].path);
    CHECK(r.graph.outgoing[i].size() >= 3);
    CHECK(r.graph.incoming[i].size() >= 1);
  }
}

TEST_CASE("content: sources exist and every entry cites at least one") {
  const auto& r = real();
  std::set<std::string> keys;
  for (const auto& s : r.parsed.corpus.sources) keys.insert(s.key);
  CHECK(keys.size() >= 5);
  for (std::size_t i = 0; i < entries().size(); ++i) {
    const auto& e = entries()[i];
    CAPTURE(e.path);
    for (const auto& k : e.sources) {
      CAPTURE(k);
      CHECK(keys.count(k) == 1);
    }
    for (const auto& c : r.parsed.entry_docs[i].citations) {
      CAPTURE(c.key);
      CHECK(keys.count(c.key) == 1);
    }
    CHECK(r.parsed.entry_docs[i].citations.size() >= 1);
  }
}

TEST_CASE("content: no wiki-link or citation syntax is left as literal text") {
  // A [[link]] the parser did not recognise ends up verbatim in the page.
  const auto& r = real();
  for (std::size_t i = 0; i < entries().size(); ++i) {
    const auto& text = r.parsed.entry_docs[i].plain_text;
    CAPTURE(entries()[i].path);
    auto p = text.find("[[");
    CAPTURE(p == std::string::npos ? std::string() : text.substr(p, 60));
    CHECK(p == std::string::npos);
    CHECK_FALSE(contains(text, "]]"));
  }
}
