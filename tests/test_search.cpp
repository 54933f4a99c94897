#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>

#include <nlohmann/json.hpp>
#include <xapian.h>

#include "analysis.h"
#include "build_helpers.h"
#include "match_count.h"
#include "search.h"
#include "search_schema.h"
#include "text.h"

using namespace lexicon;
using namespace testutil;

namespace {

// The good fixture, built once per test process.
const Xapian::Database& fixture_db() {
  static std::unique_ptr<TempDir> tmp;
  static std::unique_ptr<Xapian::Database> db;
  if (!db) {
    tmp = std::make_unique<TempDir>("search");
    auto report = build_copy(*tmp, "good");
    REQUIRE_MESSAGE(report.exit_code == 0, all_diagnostics(report));
    db = std::make_unique<Xapian::Database>((tmp->path() / "site/.xapian").string());
  }
  return *db;
}

SearchResult query_db(const std::string& q, const std::string& theme = "", const std::string& type = "", std::size_t limit = 100) {
  SearchOptions o;
  o.query = q;
  o.theme = theme;
  o.type = type;
  o.limit = limit;
  return search(fixture_db(), o);
}

std::vector<std::string> titles(const SearchResult& r) {
  std::vector<std::string> out;
  for (const auto& h : r.hits) out.push_back(h.title);
  return out;
}

bool has_title(const SearchResult& r, const std::string& t) {
  for (const auto& h : r.hits) if (h.title == t) return true;
  return false;
}

}  // namespace

TEST_CASE("an exact title match ranks first") {
  for (auto [query, title] : std::vector<std::pair<std::string, std::string>>{
           {"presentie", "Presentie"}, {"Leefwereld", "Leefwereld"}, {"de klik", "De klik"},
           {"zorgmijding", "Zorgmijding"}}) {
    CAPTURE(query);
    auto r = query_db(query);
    REQUIRE_FALSE(r.hits.empty());
    CHECK(r.hits[0].title == title);
    CHECK(r.hits[0].type == "begrip");
  }
  // An alias counts as a name too.
  auto r = query_db("presentiebenadering");
  REQUIRE_FALSE(r.hits.empty());
  CHECK(r.hits[0].title == "Presentie");
}

TEST_CASE("diacritics are folded both ways") {
  auto a = query_db("client");
  REQUIRE_FALSE(a.hits.empty());
  CHECK(a.hits[0].title == "Cliënt");
  CHECK(a.hits[0].url == "/begrippen/client/");
  auto b = query_db("cliënt");
  REQUIRE_FALSE(b.hits.empty());
  CHECK(b.hits[0].title == "Cliënt");
  CHECK(a.total == b.total);
  auto c = query_db("CASUISTIEK");
  REQUIRE_FALSE(c.hits.empty());
  CHECK(c.hits[0].title == "Casuïstiek");
  auto d = query_db("schon");  // Schön, D.A. in the sources
  CHECK(has_title(d, "Schön, D.A. (1983). The reflective practitioner"));
}

TEST_CASE("Dutch stemming joins singular and plural") {
  Analyzer analyzer;
  REQUIRE(analyzer.stem("huisbezoeken") == analyzer.stem("huisbezoek"));
  // cliënt.md has only "huisbezoeken", zorgmijding.md only "huisbezoek".
  for (const char* q : {"huisbezoek", "huisbezoeken"}) {
    CAPTURE(q);
    auto r = query_db(q);
    CHECK(has_title(r, "Cliënt"));
    CHECK(has_title(r, "Zorgmijding"));
    CHECK(r.total == 2);
  }
}

TEST_CASE("theme filter and facet counts") {
  auto all = query_db("klik");
  CHECK(has_title(all, "De klik"));
  CHECK(has_title(all, "Presentie"));
  CHECK(has_title(all, "Zorgmijding"));
  std::map<std::string, std::size_t> facets;
  for (const auto& f : all.facets) facets[f.slug] = f.count;
  // De klik is in praktijk and ethiek and counts in both.
  CHECK(facets == std::map<std::string, std::size_t>{{"praktijk", 3}, {"ethiek", 1}, {"kern", 1}});
  REQUIRE(all.facets.size() == 3);
  CHECK(all.facets[0].slug == "praktijk");  // by count, descending
  CHECK(all.facets[1].name == "Ethiek & houding");

  auto ethiek = query_db("klik", "ethiek");
  CHECK(titles(ethiek) == std::vector<std::string>{"De klik"});
  CHECK(ethiek.total == 1);
  auto none = query_db("klik", "bestaat-niet");
  CHECK(none.total == 0);
  CHECK(none.hits.empty());

  // Facets always equal the theme counts over all matching documents.
  auto broad = query_db("de");
  std::map<std::string, std::size_t> counted;
  for (const auto& h : broad.hits) for (const auto& t : h.themes) ++counted[t.slug];
  std::map<std::string, std::size_t> reported;
  for (const auto& f : broad.facets) reported[f.slug] = f.count;
  CHECK(broad.total == broad.hits.size());
  CHECK(counted == reported);
}

TEST_CASE("type filter") {
  auto bronnen = query_db("presentie", "", "bron");
  REQUIRE_FALSE(bronnen.hits.empty());
  for (const auto& h : bronnen.hits) {
    CHECK(h.type == "bron");
    CHECK(h.url.rfind("/bronnen/#bron-", 0) == 0);
  }
  auto paginas = query_db("presentie", "", "pagina");
  CHECK(titles(paginas) == std::vector<std::string>{"Over dit lexicon"});
}

TEST_CASE("JSON shape") {
  auto j = to_json(query_db("presentie"));
  REQUIRE(j.is_object());
  CHECK(j.size() == 4);
  CHECK(j["total"].is_number_unsigned());
  CHECK(j["total"].get<std::size_t>() >= 3);
  CHECK(j["corrected"].is_null());
  REQUIRE(j["hits"].is_array());
  REQUIRE(j["facets"].is_array());
  for (const auto& h : j["hits"]) {
    CHECK(h.size() == 6);
    for (const char* key : {"title", "url", "type", "summary", "snippet_html"}) {
      CAPTURE(key);
      CHECK(h[key].is_string());
    }
    REQUIRE(h["themes"].is_array());
    for (const auto& t : h["themes"]) {
      CHECK(t["slug"].is_string());
      CHECK(t["name"].is_string());
    }
  }
  const auto& first = j["hits"][0];
  CHECK(first["title"] == "Presentie");
  CHECK(first["url"] == "/begrippen/presentie/");
  CHECK(first["type"] == "begrip");
  CHECK(first["summary"] == "Een benadering waarin de relatie met de ander het vertrekpunt is.");
  CHECK(first["themes"] == nlohmann::json::parse(R"([{"slug":"kern","name":"Kernbegrippen"},{"slug":"praktijk","name":"Praktijk"}])"));
  for (const auto& f : j["facets"]) {
    CHECK(f["slug"].is_string());
    CHECK(f["name"].is_string());
    CHECK(f["count"].is_number_unsigned());
  }
}

TEST_CASE("spelling correction") {
  auto r = query_db("presentei");
  CHECK(r.used_correction);
  CHECK(r.corrected == "presentie");
  REQUIRE_FALSE(r.hits.empty());
  CHECK(r.hits[0].title == "Presentie");
  CHECK(to_json(r)["corrected"] == "presentie");
}

TEST_CASE("snippets mark matches and escape text") {
  auto r = query_db("script");
  REQUIRE_FALSE(r.hits.empty());
  CHECK(r.hits[0].title == "Leefwereld");
  const auto& s = r.hits[0].snippet_html;
  CAPTURE(s);
  CHECK(contains(s, "&lt;<mark>script</mark>&gt;"));
  CHECK_FALSE(contains(s, "<script"));

  auto p = query_db("presentie");
  REQUIRE_FALSE(p.hits.empty());
  CHECK(contains(p.hits[0].snippet_html, "<mark>"));
  CHECK_FALSE(contains(p.hits[0].snippet_html, "\n"));
}

TEST_CASE("make_snippet_html") {
  CHECK(make_snippet_html("Een <b>cliënt</b> & zorg", {"client"}) == "Een &lt;b&gt;<mark>cliënt</mark>&lt;/b&gt; &amp; zorg");
  // Stemmed match: plural text, singular query word.
  CHECK(contains(make_snippet_html("Zij leggen huisbezoeken af.", {"huisbezoek"}), "<mark>huisbezoeken</mark>"));
  // A long text is cut to a window around the first match, with ellipses.
  std::string text;
  for (int i = 0; i < 100; ++i) text += "woord" + std::to_string(i) + " ";
  text += "presentie ";
  for (int i = 0; i < 100; ++i) text += "rest" + std::to_string(i) + " ";
  std::string s = make_snippet_html(text, {"presentie"}, 10);
  CHECK(s.rfind("… ", 0) == 0);
  CHECK(contains(s, "<mark>presentie</mark>"));
  CHECK(s.size() >= 4);
  CHECK(s.substr(s.size() - 4) == " …");
  CHECK_FALSE(contains(s, "woord10 "));
  CHECK(make_snippet_html("", {"x"}) == "");
  CHECK(make_snippet_html("<>", {"x"}) == "&lt;&gt;");
}

TEST_CASE("odd queries never throw") {
  std::string invalid = "pres\xFF\xFEntie \xC3";
  std::string big(10 * 1024, 'a');
  std::string words;
  for (int i = 0; i < 2000; ++i) words += "presentie ";
  for (const std::string& q : {std::string(""), std::string("*"), std::string("\"unbalanced"), std::string("((("),
                               std::string("AND OR NOT"), std::string("presentie -zorg +klik"), std::string("title:x"),
                               std::string("   "), std::string("é"), big, words, invalid, std::string("\0\0", 2)}) {
    CAPTURE(q.substr(0, 40));
    SearchResult r;
    CHECK_NOTHROW(r = query_db(q));
    CHECK_NOTHROW(to_json(r).dump());
    for (const auto& h : r.hits) CHECK(find_invalid_utf8(h.snippet_html) == std::string::npos);
  }
  CHECK(query_db("").total == 0);
  CHECK(query_db("*").total == 0);
  CHECK(query_db("\"unbalanced").total == 0);
  CHECK(query_db(words).hits.size() > 0);
  auto r = query_db(invalid);
  CHECK_NOTHROW(to_json(r).dump());
}

TEST_CASE("offset and limit page through results") {
  SearchOptions o;
  o.query = "de";
  o.limit = 2;
  auto first = search(fixture_db(), o);
  o.offset = 2;
  auto second = search(fixture_db(), o);
  CHECK(first.hits.size() == 2);
  CHECK(second.hits.size() == 2);
  CHECK(first.total == second.total);
  CHECK(first.hits[0].url != second.hits[0].url);
  CHECK(first.hits[1].url != second.hits[0].url);
}

TEST_CASE("data read once per index gives the same results, and is not used for another index") {
  const auto& db = fixture_db();
  SearchIndexData prepared = read_search_index_data(db);
  CHECK(prepared.themes.usable());
  auto stored = read_stored_documents(db, 64 << 20);
  REQUIRE(stored);
  CHECK(stored->by_docid.size() == db.get_lastdocid());
  CHECK_FALSE(read_stored_documents(db, 1000));  // over the budget: not held at all
  SearchIndexData with_documents = prepared;
  with_documents.documents = std::make_shared<const StoredDocuments>(std::move(*stored));
  CHECK(prepared.theme_names.at("ethiek") == "Ethiek & houding");
  for (const std::string q : {"klik", "de", "bemoeizorgwerker", "presentie mens", "leefwereld"}) {
    CAPTURE(q);
    SearchOptions o;
    o.query = q;
    o.limit = 100;
    CHECK(to_json(search(db, o, &prepared)) == to_json(search(db, o)));
    CHECK(to_json(search(db, o, &with_documents)) == to_json(search(db, o)));
  }
  // Stored fields of another revision are not shown.
  auto stale = std::make_shared<StoredDocuments>(*with_documents.documents);
  stale->index.revision += 1;
  for (auto& d : stale->by_docid) {
    if (d) d->title = "verouderd";
  }
  SearchIndexData with_stale = prepared;
  with_stale.documents = stale;
  SearchOptions klik;
  klik.query = "klik";
  for (const auto& h : search(db, klik, &with_stale).hits) CHECK(h.title != "verouderd");
  // Data of another index (or an older revision) is ignored: wrong names would show otherwise.
  SearchIndexData other = prepared;
  other.index.uuid = "een-andere-index";
  for (auto& [slug, name] : other.theme_names) name = "fout";
  SearchOptions o;
  o.query = "klik";
  auto r = search(db, o, &other);
  REQUIRE(!r.facets.empty());
  for (const auto& f : r.facets) CHECK(f.name != "fout");
  SearchIndexData older = prepared;
  older.index.revision = prepared.index.revision + 1;
  for (auto& [slug, name] : older.theme_names) name = "fout";
  for (const auto& f : search(db, o, &older).facets) CHECK(f.name != "fout");
  // The same index and revision: its data is what the search uses.
  SearchIndexData same = prepared;
  for (auto& [slug, name] : same.theme_names) name = "gebruikt";
  for (const auto& f : search(db, o, &same).facets) CHECK(f.name == "gebruikt");
}

namespace {
// Xapian's own count of the match set and its themes (each document's theme value), to compare with.
std::pair<std::size_t, std::map<std::string, std::size_t>> xapian_counts(const Xapian::Database& db, const Xapian::Query& q) {
  Xapian::Enquire enquire(db);
  enquire.set_query(q);
  auto mset = enquire.get_mset(0, db.get_doccount());
  std::map<std::string, std::size_t> themes;
  for (auto it = mset.begin(); it != mset.end(); ++it) {
    for (const auto& t : split_lines(it.get_document().get_value(schema::slot_themes))) {
      if (!t.empty()) ++themes[t];
    }
  }
  return {mset.size(), themes};
}
}  // namespace

TEST_CASE("match counts from bitmaps equal Xapian's, for every boolean query shape") {
  const auto& db = fixture_db();
  ThemeTable table(db);
  REQUIRE(table.usable());
  MatchBitmaps all = read_match_bitmaps(db, table, 64 << 20);
  MatchBitmaps few = read_match_bitmaps(db, table, 3000);  // most terms then come from their postings
  CHECK(!all.terms.empty());
  CHECK(few.terms.size() < all.terms.size());
  MatchBitmaps stale = all;
  stale.index.revision += 1;
  for (auto& [term, bits] : stale.terms) std::fill(bits.begin(), bits.end(), 0);  // would count nothing

  using Q = Xapian::Query;
  std::string stem = std::string(schema::stemmed);
  Q presentie(stem + "presentie"), klik(stem + "klik"), zorg(stem + "zorg"), de("de");
  Q begrip(std::string(schema::doc_type) + "begrip");
  std::vector<std::pair<std::string, Q>> queries = {
      {"term", presentie},
      {"and", Q(Q::OP_AND, presentie, zorg)},
      {"or", Q(Q::OP_OR, klik, zorg)},
      {"synonym", Q(Q::OP_SYNONYM, klik, presentie)},
      {"and_not", Q(Q::OP_AND_NOT, de, klik)},
      {"xor", Q(Q::OP_XOR, presentie, zorg)},
      {"and_maybe", Q(Q::OP_AND_MAYBE, klik, presentie)},
      {"filter", Q(Q::OP_FILTER, de, begrip)},
      {"scaled", Q(Q::OP_SCALE_WEIGHT, Q(Q::OP_OR, klik, de), 0.0)},
      {"nested", Q(Q::OP_AND, Q(Q::OP_OR, presentie, Q(Q::OP_AND, klik, zorg)), Q(Q::OP_AND_NOT, de, Q("bestaatniet")))},
      {"unknown term", Q("bestaatniet")},
      {"match all", Q::MatchAll},
      {"match nothing", Q::MatchNothing},
  };
  for (const auto& [name, q] : queries) {
    CAPTURE(name);
    auto expected = xapian_counts(db, q);
    for (const MatchBitmaps* bitmaps : std::vector<const MatchBitmaps*>{nullptr, &all, &few, &stale}) {
      auto counts = count_matches(db, q, table, bitmaps);
      REQUIRE(counts);
      CHECK(counts->total == expected.first);
      CHECK(counts->themes == expected.second);
    }
  }
  CHECK(xapian_counts(db, presentie).first > 0);  // the comparison is not between empty sets
  CHECK(xapian_counts(db, Q(Q::OP_AND, presentie, zorg)).first > 0);
  // Shapes it does not evaluate are left to Xapian.
  CHECK_FALSE(count_matches(db, Q(Q::OP_PHRASE, presentie, zorg), table, &all));
  CHECK_FALSE(count_matches(db, Q(Q::OP_VALUE_GE, schema::slot_type_rank, "0"), table, &all));
  CHECK_FALSE(count_matches(db, presentie, ThemeTable(), &all));
}
