// Computed "Verwant" suggestions (related_terms.h) on the REAL content/: never the entry itself or its
// Zie ook, strongest first, each with shared words as the reason, and shown on the built entry page.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "analysis.h"
#include "build.h"
#include "build_helpers.h"
#include "content.h"
#include "related_terms.h"
#include "resolve.h"

using namespace lexicon;
using namespace testutil;

namespace {

struct Real {
  ParsedCorpus parsed;
  LinkGraph graph;
  std::map<std::string, int> by_slug;
};

Real load_real() {
  Diagnostics diagnostics;
  Real r{parse_corpus(load_corpus(source_dir() / "content", diagnostics), 2, diagnostics), {}, {}};
  r.graph = resolve(r.parsed, diagnostics);
  for (std::size_t i = 0; i < r.parsed.corpus.entries.size(); ++i) r.by_slug[r.parsed.corpus.entries[i].slug] = static_cast<int>(i);
  return r;
}

std::vector<std::string> slugs_of(const Real& r, const std::vector<Suggestion>& list) {
  std::vector<std::string> out;
  for (const auto& s : list) out.push_back(r.parsed.corpus.entries[static_cast<std::size_t>(s.entry)].slug);
  return out;
}

}  // namespace

TEST_CASE("Verwant: never the entry itself nor its Zie ook, strongest first, with readable reasons") {
  Real r = load_real();
  auto all = compute_suggestions(r.parsed, r.graph);
  REQUIRE(all.size() == r.parsed.corpus.entries.size());
  std::size_t with_suggestions = 0;
  for (std::size_t i = 0; i < all.size(); ++i) {
    CAPTURE(r.parsed.corpus.entries[i].slug);
    const auto& list = all[i];
    if (!list.empty()) ++with_suggestions;
    CHECK(list.size() <= 5);
    std::set<int> seen;
    for (std::size_t k = 0; k < list.size(); ++k) {
      const auto& s = list[k];
      CHECK(s.entry >= 0);
      CHECK(static_cast<std::size_t>(s.entry) < all.size());
      CHECK(s.entry != static_cast<int>(i));
      CHECK(std::find(r.graph.related[i].begin(), r.graph.related[i].end(), s.entry) == r.graph.related[i].end());
      CHECK(seen.insert(s.entry).second);
      // Sorted by weight, ties by entry order (= docid order).
      if (k > 0) CHECK((list[k - 1].weight > s.weight || (list[k - 1].weight == s.weight && list[k - 1].entry < s.entry)));
      CHECK(s.reason.size() >= 2);
      CHECK(s.reason.size() <= 4);
      std::set<std::string> words(s.reason.begin(), s.reason.end());
      CHECK(words.size() == s.reason.size());
      for (const auto& w : s.reason) {
        CHECK(w.size() >= 4);
        // Readable words as written, not stems with the index prefix.
        CHECK(w[0] != 'Z');
      }
    }
  }
  // Most entries of a 90-entry lexicon share key words with some other entry.
  CHECK(with_suggestions * 10 >= all.size() * 8);

  // Deterministic: a second computation, with the text analysed on three threads, gives exactly the same lists.
  SuggestionOptions threaded;
  threaded.jobs = 3;
  auto again = compute_suggestions(r.parsed, r.graph, threaded);
  for (std::size_t i = 0; i < all.size(); ++i) {
    CAPTURE(i);
    REQUIRE(again[i].size() == all[i].size());
    for (std::size_t k = 0; k < all[i].size(); ++k) {
      CHECK(again[i][k].entry == all[i][k].entry);
      CHECK(again[i][k].reason == all[i][k].reason);
      CHECK(again[i][k].weight == all[i][k].weight);
    }
  }
}

TEST_CASE("Verwant: each reason word stands for a stem written in both entries") {
  Real r = load_real();
  auto all = compute_suggestions(r.parsed, r.graph);
  Analyzer analyzer;
  std::map<int, std::set<std::string>> stems_cache;
  auto stems_of = [&](int e) -> const std::set<std::string>& {
    auto it = stems_cache.find(e);
    if (it != stems_cache.end()) return it->second;
    const auto& d = r.parsed.corpus.entries[static_cast<std::size_t>(e)];
    std::string text = d.title + " " + d.summary + " " + r.parsed.entry_docs[static_cast<std::size_t>(e)].plain_text;
    for (const auto& a : d.aliases) text += " " + a.text;
    std::set<std::string> stems;
    for (const auto& t : tokenize(text)) stems.insert(analyzer.stem(t.folded));
    return stems_cache[e] = stems;
  };
  std::size_t checked = 0;
  for (std::size_t i = 0; i < all.size(); ++i) {
    for (const auto& s : all[i]) {
      for (const auto& w : s.reason) {
        CAPTURE(r.parsed.corpus.entries[i].slug);
        CAPTURE(w);
        auto tokens = tokenize(w);
        REQUIRE(tokens.size() == 1);
        std::string stem = analyzer.stem(tokens[0].folded);
        CHECK(stems_of(static_cast<int>(i)).count(stem) == 1);
        CHECK(stems_of(s.entry).count(stem) == 1);
        ++checked;
      }
    }
  }
  CHECK(checked > 100);
}

TEST_CASE("Verwant: sensible suggestions for real entries") {
  Real r = load_real();
  auto all = compute_suggestions(r.parsed, r.graph);
  auto check = [&](const std::string& slug, const std::set<std::string>& plausible) {
    REQUIRE(r.by_slug.count(slug));
    int i = r.by_slug[slug];
    auto got = slugs_of(r, all[static_cast<std::size_t>(i)]);
    CAPTURE(slug);
    std::string listed;
    for (const auto& g : got) listed += g + " ";
    CAPTURE(listed);
    for (const auto& p : plausible) {
      // A plausible suggestion that is already in Zie ook cannot be expected here.
      REQUIRE(r.by_slug.count(p));
      const auto& rel = r.graph.related[static_cast<std::size_t>(i)];
      REQUIRE(std::find(rel.begin(), rel.end(), r.by_slug[p]) == rel.end());
    }
    bool found = std::any_of(got.begin(), got.end(), [&](const std::string& g) { return plausible.count(g) > 0; });
    CHECK(found);
  };
  // bemoeizorg is already in zorgmijding's Zie ook; these share its subject (contact that is avoided
  // or not asked for).
  check("zorgmijding", {"vrijwillige-hulpverlening", "redelijkheid-van-de-ander", "outreachend-werken"});
  check("taciete-kennis", {"ervaringskennis", "het-slimme-onbewuste", "reflection-in-action"});
  check("reflection-in-action", {"donald-schon"});  // reflectieve-praktijkwerker is in its Zie ook
}

TEST_CASE("Verwant: the entry page shows the section apart from Zie ook") {
  TempDir tmp("verwant");
  BuildOptions o;
  o.content_dir = source_dir() / "content";
  o.site_dir = tmp / "site";
  o.templates_dir = templates_dir();
  o.jobs = 2;
  auto report = run_build(o, false);
  REQUIRE_MESSAGE(report.exit_code == 0, all_diagnostics(report));
  std::string html = read_file(tmp / "site/begrippen/zorgmijding/index.html");
  auto verwant = html.find("<h2 id=\"verwant\">Verwant</h2>");
  auto zie_ook = html.find("<h2 id=\"zie-ook\">Zie ook</h2>");
  REQUIRE(verwant != std::string::npos);
  REQUIRE(zie_ook != std::string::npos);
  CHECK(zie_ook < verwant);
  std::string section = html.substr(verwant, html.find("</section>", verwant) - verwant);
  CHECK(contains(section, "Berekend uit de tekst: "));
  CHECK_FALSE(contains(section, "/begrippen/bemoeizorg/\""));   // in Zie ook
  CHECK_FALSE(contains(section, "/begrippen/zorgmijding/\""));  // itself
  Real r = load_real();
  auto all = compute_suggestions(r.parsed, r.graph);
  for (const auto& s : all[static_cast<std::size_t>(r.by_slug["zorgmijding"])]) {
    CHECK(contains(section, "href=\"/begrippen/" + r.parsed.corpus.entries[static_cast<std::size_t>(s.entry)].slug + "/\""));
  }
}
