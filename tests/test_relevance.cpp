// Relevance test set: realistic student queries against the REAL content/, built once into a temp dir.
// Every query names the entry that must come first (or in the top 3). No query is special-cased in code:
// typo strings are checked to occur nowhere in content/, body-only queries to share no word with any
// title or alias.
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include <xapian.h>

#include "analysis.h"
#include "build.h"
#include "content.h"
#include "diagnostics.h"
#include "search.h"
#include "search_schema.h"
#include "text.h"

namespace fs = std::filesystem;
using namespace lexicon;

namespace {

enum class Category { typo, diacritics, derived, english, phrase, body, question };

const char* name(Category c) {
  switch (c) {
    case Category::typo: return "typo";
    case Category::diacritics: return "zonder diakrieten";
    case Category::derived: return "verbogen/afgeleid";
    case Category::english: return "Engels";
    case Category::phrase: return "meerwoords";
    case Category::body: return "alleen in tekst";
    case Category::question: return "vraag";
  }
  return "?";
}

struct Case {
  Category category;
  const char* query;
  const char* slug;  // the entry that must be found
  int within;        // 1: first; 3: in the top 3
};

// What students type: half-remembered, misspelled, inflected, English, or a description.
const Case cases[] = {
    // Typos (each string occurs nowhere in content/, checked below).
    {Category::typo, "presentei", "presentie", 1},
    {Category::typo, "andries bart", "andries-baart", 1},
    {Category::typo, "mentaliceren", "mentaliseren", 1},
    {Category::typo, "zorgmeiding", "zorgmijding", 1},
    {Category::typo, "reflextieve praktijkwerker", "reflectieve-praktijkwerker", 1},
    {Category::typo, "intervisei", "intervisie-en-supervisie", 1},
    {Category::typo, "taciete kenis", "taciete-kennis", 1},
    {Category::typo, "bemoeizrog", "bemoeizorg", 1},
    {Category::typo, "therapeutishe alliantie", "therapeutische-alliantie", 1},
    {Category::typo, "gelijkwaardigheit", "gelijkwaardigheid", 1},
    // Missing diacritics.
    {Category::diacritics, "casuistiek", "casuistiek", 1},
    {Category::diacritics, "donald schon", "donald-schon", 1},
    {Category::diacritics, "tempo van de client", "tempo-aanpassen", 1},
    {Category::diacritics, "intuitie", "taciete-kennis", 1},
    {Category::diacritics, "wederzijdse beinvloeding", "gelijkwaardigheid", 1},
    {Category::diacritics, "episteme", "praktische-wijsheid", 1},
    {Category::diacritics, "mandaat van de client", "binnenkomen-en-mandaat", 1},
    {Category::diacritics, "casuistiekbespreking", "casuistiek", 1},
    // Plural, inflected and derived forms.
    {Category::derived, "zorgmijders", "zorgmijding", 1},
    {Category::derived, "handelingsverlegen", "handelingsverlegenheid", 1},
    {Category::derived, "mentaliserend", "mentaliseren", 1},
    {Category::derived, "botsend belang", "botsende-belangen", 1},
    {Category::derived, "verstoord contact", "verstoringen-in-het-contact", 1},
    {Category::derived, "gelijkwaardig", "gelijkwaardigheid", 1},
    {Category::derived, "protocol", "regeldruk-en-protocollen", 1},
    {Category::derived, "memorabel spel", "memorabele-spellen", 1},
    {Category::derived, "zelfredzaam", "zelfredzaamheid-en-participatie", 1},
    {Category::derived, "reflectief", "reflectieve-praktijkwerker", 3},
    // English terms.
    {Category::english, "tacit knowledge", "taciete-kennis", 1},
    {Category::english, "care ethics", "zorgethiek", 1},
    {Category::english, "reflective practitioner", "reflectieve-praktijkwerker", 1},
    {Category::english, "therapeutic alliance", "therapeutische-alliantie", 1},
    {Category::english, "self-disclosure", "professionele-afstand-en-nabijheid", 1},
    {Category::english, "practical wisdom", "praktische-wijsheid", 1},
    {Category::english, "community of practice", "sociaal-leren", 1},
    {Category::english, "assertive outreach", "bemoeizorg", 1},
    {Category::english, "lifeworld", "leefwereld", 1},
    {Category::english, "tunnel vision", "tunnelvisie", 1},
    {Category::english, "self reflection", "zelfonderzoek-en-zelfinzicht", 1},
    // Several words, often a compound or hyphenated term written apart.
    {Category::phrase, "praktijk leren", "praktijkleren", 1},
    {Category::phrase, "reflection in action", "reflection-in-action", 1},
    {Category::phrase, "bemoei zorg", "bemoeizorg", 1},
    {Category::phrase, "draagkracht en draaglast", "draagkracht-en-draaglast", 1},
    {Category::phrase, "professionele afstand", "professionele-afstand-en-nabijheid", 1},
    {Category::phrase, "eigen regie", "regie-en-autonomie", 1},
    {Category::phrase, "zorg ethiek", "zorgethiek", 1},
    {Category::phrase, "team cultuur", "teamcultuur", 1},
    {Category::phrase, "evidence based practice", "evidence-based-practice", 1},
    {Category::phrase, "ervarings kennis", "ervaringskennis", 1},
    {Category::phrase, "diagnose recept model", "diagnose-receptmodel", 1},
    // Descriptions: no query word occurs in any title or alias (checked below).
    // Questions, as students type them into a search box.
    {Category::question, "wat is presentie", "presentie", 1},
    {Category::question, "wat betekent bemoeizorg", "bemoeizorg", 1},
    {Category::question, "hoe werk je met zorgmijders", "zorgmijding", 1},
    {Category::question, "wat is reflection in action", "reflection-in-action", 1},
    {Category::question, "wat is het verschil tussen draagkracht en draaglast", "draagkracht-en-draaglast", 1},
    {Category::question, "wie is andries baart", "andries-baart", 1},
    {Category::body, "geheimhouding beroepscode", "discretionaire-ruimte", 1},
    {Category::body, "borderline", "mentaliseren", 1},
    {Category::body, "voordeur toestemming", "binnenkomen-en-mandaat", 1},
    {Category::body, "dwangmiddelen", "vrijwillige-hulpverlening", 1},
    {Category::body, "verwaarlozing hygiëne", "bemoeizorg", 3},
    {Category::body, "ongeschreven omgangsvormen", "teamcultuur", 1},
    {Category::body, "bureaucratie targets", "systeemwereld", 1},
    {Category::body, "dokter klacht oplossing", "diagnose-receptmodel", 1},
    {Category::body, "gerechtelijke dwaling", "tunnelvisie", 1},
    {Category::body, "vriendschap", "professionele-afstand-en-nabijheid", 3},
    {Category::body, "machteloos", "grenzen-en-ingrijpen", 3},
};

fs::path source_dir() { return fs::path(LEXICON_SOURCE_DIR); }

// The real lexicon, built once for all test cases of this file.
struct BuiltLexicon {
  fs::path dir;
  BuildReport report;
  std::unique_ptr<Xapian::Database> db;

  BuiltLexicon() {
    dir = fs::temp_directory_path() / ("lexicon-relevance-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    BuildOptions o;
    o.content_dir = source_dir() / "content";
    o.templates_dir = source_dir() / "templates";
    o.site_dir = dir / "site";
    o.jobs = 1;
    report = run_build(o, false);
    if (report.exit_code == 0) db = std::make_unique<Xapian::Database>((dir / "site" / ".xapian").string());
  }
  ~BuiltLexicon() {
    db.reset();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

BuiltLexicon& lexicon_once() {
  static BuiltLexicon built;
  return built;
}

SearchResult run(const std::string& query, std::size_t limit = 10, const std::string& theme = "") {
  SearchOptions o;
  o.query = query;
  o.limit = limit;
  o.theme = theme;
  return search(*lexicon_once().db, o);
}

// 1-based position of the entry among the hits, 0 when absent.
int position_of(const SearchResult& r, const std::string& slug) {
  std::string suffix = "/begrippen/" + slug + "/";
  for (std::size_t i = 0; i < r.hits.size(); ++i) {
    const auto& url = r.hits[i].url;
    if (r.hits[i].type == schema::type_entry && url.size() >= suffix.size() &&
        url.compare(url.size() - suffix.size(), suffix.size(), suffix) == 0) {
      return static_cast<int>(i) + 1;
    }
  }
  return 0;
}

std::string ascii_lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("relevance: the test set itself is fair") {
  std::map<Category, int> per_category;
  for (const auto& c : cases) ++per_category[c.category];
  CHECK(std::size(cases) >= 40);
  for (Category c : {Category::typo, Category::diacritics, Category::derived, Category::english, Category::phrase,
                     Category::body, Category::question}) {
    INFO("category " << name(c));
    CHECK(per_category[c] >= 5);
  }

  SUBCASE("typo strings occur nowhere in content/ (so they are not fixed by adding aliases)") {
    std::vector<std::pair<fs::path, std::string>> files;
    for (const auto& f : fs::recursive_directory_iterator(source_dir() / "content")) {
      if (!f.is_regular_file()) continue;
      std::string text = read_file(f.path());
      files.emplace_back(f.path(), ascii_lower(text) + "\n" + fold(text));
    }
    REQUIRE(files.size() > 90);
    for (const auto& c : cases) {
      if (c.category != Category::typo) continue;
      std::string needle = ascii_lower(c.query);
      for (const auto& [path, text] : files) {
        INFO("typo '" << c.query << "' found in " << path.string());
        CHECK(text.find(needle) == std::string::npos);
      }
    }
  }

  SUBCASE("body-only queries share no word with any title or alias") {
    Diagnostics diagnostics;
    Corpus corpus = load_corpus(source_dir() / "content", diagnostics);
    REQUIRE(corpus.entries.size() >= 90);
    Analyzer analyzer;
    std::set<std::string> words, stems;
    auto add = [&](const std::string& text) {
      for (const auto& t : tokenize(text)) {
        words.insert(t.folded);
        stems.insert(analyzer.stem(t.folded));
      }
    };
    for (const auto* docs : {&corpus.entries, &corpus.pages}) {
      for (const auto& d : *docs) {
        add(d.title);
        for (const auto& a : d.aliases) add(a.text);
      }
    }
    for (const auto& s : corpus.sources) add(s.title);
    REQUIRE(words.count("presentie"));
    for (const auto& c : cases) {
      if (c.category != Category::body) continue;
      for (const auto& t : tokenize(c.query)) {
        INFO("body-only query '" << c.query << "' has the name word '" << t.folded << "'");
        CHECK(words.count(t.folded) == 0);
        CHECK(stems.count(analyzer.stem(t.folded)) == 0);
      }
    }
  }
}

TEST_CASE("relevance: every query finds its entry first or in the top 3") {
  auto& built = lexicon_once();
  REQUIRE(built.report.exit_code == 0);
  REQUIRE(built.db);
  std::map<Category, std::pair<int, int>> score;  // passed, total
  std::ostringstream table;
  for (const auto& c : cases) {
    SearchResult r = run(c.query);
    int pos = position_of(r, c.slug);
    bool ok = pos >= 1 && pos <= c.within;
    auto& [passed, total] = score[c.category];
    passed += ok;
    ++total;
    table << (ok ? "PASS " : "FAIL ") << name(c.category) << " | " << c.query << " -> " << c.slug << " (needs "
          << (c.within == 1 ? "#1" : "top 3") << ", got " << (pos ? "#" + std::to_string(pos) : "none") << ")"
          << (r.used_correction ? " [gecorrigeerd: " + r.corrected + "]" : "") << "\n";
    INFO("query '" << c.query << "' (" << name(c.category) << "): '" << c.slug << "' at position " << pos
                   << ", first hit '" << (r.hits.empty() ? "" : r.hits.front().url) << "'");
    CHECK(ok);
    if (c.category == Category::typo) {
      // The correction is reported, so the page can say "Bedoelde je …?".
      CHECK(!r.corrected.empty());
    } else {
      CHECK_FALSE(r.used_correction);
    }
  }
  MESSAGE("relevance table:\n" << table.str());
}

TEST_CASE("relevance: spelling correction is reported") {
  SearchResult r = run("andries bart");
  CHECK(r.used_correction);
  CHECK(r.corrected == "andries baart");
  SearchResult p = run("presentei");
  CHECK(p.used_correction);
  CHECK(p.corrected == "presentie");
  nlohmann::json j = to_json(p);
  CHECK(j["corrected"] == "presentie");
  SearchResult ok = run("presentie");
  CHECK(ok.corrected.empty());
  CHECK(to_json(ok)["corrected"].is_null());
}

TEST_CASE("relevance: compounds are split with parts known from the lexicon's own headwords") {
  auto& built = lexicon_once();
  REQUIRE(built.db);
  auto splitter = CompoundSplitter::deserialise(built.db->get_metadata(schema::metadata_compound_parts));
  REQUIRE_FALSE(splitter.empty());
  CHECK(splitter.split("bemoeizorg") == std::vector<std::string>{"bemoei", "zorg"});
  CHECK(splitter.split("zorgrelatie") == std::vector<std::string>{"zorg", "relatie"});
  CHECK(splitter.split("presentie").empty());  // a known word is not split into nothing
  CHECK(splitter.split("kat").empty());

  CompoundSplitter linking({"handeling", "verlegenheid", "ervaring", "kennis"});
  CHECK(linking.split("handelingsverlegenheid") == std::vector<std::string>{"handeling", "verlegenheid"});
  CHECK(linking.split("ervaringskennis") == std::vector<std::string>{"ervaring", "kennis"});
  CHECK(linking.split("kennisverlegenheid") == std::vector<std::string>{"kennis", "verlegenheid"});
  CHECK(linking.split("verlegenheidx").empty());

  // Hyphenated words are also indexed written as one word, so both spellings find the entry.
  CHECK(position_of(run("reflectioninaction"), "reflection-in-action") == 1);
  CHECK(position_of(run("reflection-in-action"), "reflection-in-action") == 1);
}

TEST_CASE("relevance: an exact title or alias match ranks first") {
  for (const char* q : {"Presentie", "Baart", "werkalliantie", "ethics of care", "Zo ben je present"}) {
    SearchResult r = run(q, 3);
    REQUIRE_FALSE(r.hits.empty());
    INFO("query " << q << " first hit " << r.hits.front().url);
    CHECK(r.hits.front().type == schema::type_entry);
  }
  CHECK(position_of(run("werkalliantie"), "therapeutische-alliantie") == 1);
  CHECK(position_of(run("Zo ben je present"), "acht-kenmerken-van-presentie") == 1);
}

TEST_CASE("relevance: snippets highlight folded and stemmed matches, escaped") {
  SearchResult r = run("client", 10);
  bool folded = false;
  for (const auto& h : r.hits) folded = folded || h.snippet_html.find("<mark>cliënt") != std::string::npos;
  CHECK(folded);
  SearchResult z = run("zorgmijders", 3);
  REQUIRE_FALSE(z.hits.empty());
  CHECK(z.hits.front().snippet_html.find("<mark>") != std::string::npos);
  SearchResult p = run("praktijk leren", 3);
  REQUIRE_FALSE(p.hits.empty());
  CHECK(p.hits.front().snippet_html.find("<mark>") != std::string::npos);
  for (const auto& h : p.hits) CHECK(h.snippet_html.find("<script") == std::string::npos);
}

TEST_CASE("relevance: theme facets count each multi-theme entry once per theme") {
  SearchResult r = run("praktijk", 10);
  REQUIRE_FALSE(r.facets.empty());
  std::size_t sum = 0;
  for (const auto& f : r.facets) {
    sum += f.count;
    SearchResult filtered = run("praktijk", 10, f.slug);
    INFO("theme " << f.slug);
    CHECK(filtered.total == f.count);
  }
  // Each matching entry counts once for each of its themes (several have two).
  SearchResult all = run("praktijk", 100);
  REQUIRE(all.total <= 100);
  std::size_t expected = 0, multi = 0;
  for (const auto& h : all.hits) {
    expected += h.themes.size();
    multi += h.themes.size() > 1;
  }
  CHECK(multi > 0);
  CHECK(sum == expected);
}

TEST_CASE("relevance: totals and facets are counted over exactly the ranked matches") {
  // The count runs a lighter, unranked query (search.cpp, QueryBuilder::matching) and reads themes from
  // the index's theme table (facets.h); both must describe exactly the documents the ranked query finds.
  const std::vector<std::string> queries = {
      "presentie", "praktijk leren", "zorgmijders", "reflection-in-action", "phronesis", "presentei",
      "client", "bemoeizorg wijk", "ervaringskennis", "handelingsverlegenheid", "zorgrelatie", "zorg",
      "aandacht tijd", "ervarings kennis", "morele oordeelsvorming", "stilte"};
  for (const auto& q : queries) {
    SearchResult all = run(q, 100);  // search() returns at most 100 hits
    INFO("query: " << q);
    REQUIRE(all.total <= 100);
    CHECK(all.total == all.hits.size());
    std::map<std::string, std::size_t> from_hits, reported;
    for (const auto& h : all.hits) for (const auto& t : h.themes) ++from_hits[t.slug];
    for (const auto& f : all.facets) reported[f.slug] = f.count;
    CHECK(reported == from_hits);
  }
}

TEST_CASE("relevance: an index without the theme table counts facets the same way") {
  BuiltLexicon& built = lexicon_once();
  fs::path copy = built.dir / "no-table";
  fs::copy(built.dir / "site" / ".xapian", copy, fs::copy_options::recursive);
  {
    Xapian::WritableDatabase w(copy.string(), Xapian::DB_OPEN);
    w.set_metadata(schema::metadata_theme_table, "");
    w.commit();
  }
  Xapian::Database without(copy.string());
  for (const std::string q : {"presentie", "praktijk", "zorg", "de"}) {
    SearchOptions o;
    o.query = q;
    SearchResult a = search(*built.db, o), b = search(without, o);
    INFO("query: " << q);
    CHECK(a.total == b.total);
    REQUIRE(a.facets.size() == b.facets.size());
    for (std::size_t k = 0; k < a.facets.size(); ++k) {
      CHECK(a.facets[k].slug == b.facets[k].slug);
      CHECK(a.facets[k].count == b.facets[k].count);
    }
  }
}
