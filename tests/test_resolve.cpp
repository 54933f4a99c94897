#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <string>

#include <fmt/format.h>

#include "content.h"
#include "diagnostics.h"
#include "resolve.h"
#include "test_util.h"

using namespace lexicon;
using testutil::contains;

namespace {

const char* const kThemes =
    "kern:\n  name: Kern\n  order: 1\n  description: De kern.\n"
    "praktijk:\n  name: Praktijk\n  order: 2\n  description: De praktijk.\n";
const char* const kSources =
    "baart2001:\n  authors: [\"Baart, A.\"]\n  year: 2001\n  title: Een theorie van de presentie\n"
    "schon1983:\n  authors: [\"Schön, D.\"]\n  year: 1983\n  title: The reflective practitioner\n";

// A small corpus in a temp dir: content/{lexicon,themas,bronnen}.yaml plus the given entries/pages.
struct TestCorpus {
  testutil::TempDir dir{"resolve"};
  Diagnostics diags;
  ParsedCorpus parsed;
  LinkGraph graph;
  std::vector<std::string> messages;  // "content/..." paths, without source lines

  TestCorpus(const std::map<std::string, std::string>& entries, const std::map<std::string, std::string>& pages = {}) {
    auto root = dir / "content";
    testutil::write_file(root / "lexicon.yaml", "title: Test\nbase_url: https://example.org/\n");
    testutil::write_file(root / "themas.yaml", kThemes);
    testutil::write_file(root / "bronnen.yaml", kSources);
    for (const auto& [slug, text] : entries) testutil::write_file(root / "begrippen" / (slug + ".md"), text);
    for (const auto& [slug, text] : pages) testutil::write_file(root / "paginas" / (slug + ".md"), text);
    auto corpus = load_corpus(root, diags);
    parsed = parse_corpus(std::move(corpus), 2, diags);
    graph = resolve(parsed, diags);
    sort_diagnostics(diags);
    std::string prefix = dir.path().generic_string() + "/";
    for (const auto& d : diags.items) {
      std::string m = format_diagnostic(d, DiagnosticFormat::text, false);
      if (m.rfind(prefix, 0) == 0) m = m.substr(prefix.size());
      messages.push_back(m);
    }
  }

  int index(const std::string& slug) const {
    const auto& e = parsed.corpus.entries;
    for (std::size_t i = 0; i < e.size(); ++i) if (e[i].slug == slug) return static_cast<int>(i);
    FAIL("no entry " << slug);
    return -1;
  }
  bool has(const std::string& message) const {
    return std::find(messages.begin(), messages.end(), message) != messages.end();
  }
  std::string all() const {
    std::string out;
    for (const auto& m : messages) out += m;
    return out;
  }
};

std::string entry(const std::string& title, const std::string& body, const std::string& extra = "") {
  return "---\ntitle: " + title + "\nsummary: Over " + title + ".\nthemes: [kern]\n" + extra + "---\n" + body;
}

}  // namespace

TEST_CASE("unresolved link: exact diagnostic pointing at the opening brackets in the file") {
  std::string x =
      "---\n"                                        // 1
      "title: X\n"                                   // 2
      "summary: Iets.\n"                             // 3
      "---\n"                                        // 4
      "Eerste alinea die naar [[presentie]] gaat.\n" // 5
      "\n"                                           // 6
      "Zie [[presentei]] hier.\n";                   // 7
  TestCorpus c({{"x", x}, {"presentie", entry("Presentie", "Terug naar [[x]].\n")}});
  CAPTURE(c.all());
  CHECK(c.has("content/begrippen/x.md:7:5: error: onbekende verwijzing [[presentei]]; bedoeld: [[presentie]]?\n"));
  CHECK(c.diags.count(Severity::error) == 1);
  // The caret display shows the file line.
  for (const auto& d : c.diags.items) {
    if (d.severity != Severity::error) continue;
    CHECK(d.source_line == "Zie [[presentei]] hier.");
    CHECK(contains(format_diagnostic(d, DiagnosticFormat::text), "    7 | Zie [[presentei]] hier.\n      |     ^\n"));
  }
  // The resolved link points at presentie.
  int xi = c.index("x"), pi = c.index("presentie");
  REQUIRE(c.graph.entry_links[static_cast<std::size_t>(xi)].size() == 2);
  CHECK(c.graph.entry_links[static_cast<std::size_t>(xi)][0].kind == LinkTarget::entry);
  CHECK(c.graph.entry_links[static_cast<std::size_t>(xi)][0].index == pi);
  CHECK(c.graph.entry_links[static_cast<std::size_t>(xi)][1].kind == LinkTarget::none);
}

TEST_CASE("unresolved link far from anything has no suggestion") {
  TestCorpus c({{"a", entry("A", "Naar [[b]] en [[qqqqqqqqqqqq]].\n")}, {"b", entry("B", "Naar [[a]].\n")}});
  CHECK(c.has("content/begrippen/a.md:6:15: error: onbekende verwijzing [[qqqqqqqqqqqq]]\n"));
}

TEST_CASE("links resolve by slug, title and alias, case- and diacritic-insensitively") {
  std::string client = entry("Cliënt", "Zie [[zorg]].\n", "aliases:\n  - Hulpvrager\n  - {term: client system, lang: en}\n");
  std::string zorg = entry("Zorg",
                           "Over [[cliënt]], [[CLIENT]], [[Client]], [[hulpvrager]], [[HULPVRAGER]], "
                           "[[Client System]], [[Over dit lexicon]] en [[over]].\n");
  std::string over = "---\ntitle: Over dit lexicon\n---\nZie [[Cliënt]].\n";
  TestCorpus c({{"client", client}, {"zorg", zorg}}, {{"over", over}});
  CAPTURE(c.all());
  CHECK_FALSE(c.diags.has_errors());
  int ci = c.index("client"), zi = c.index("zorg");
  const auto& links = c.graph.entry_links[static_cast<std::size_t>(zi)];
  REQUIRE(links.size() == 8);
  for (int k = 0; k < 6; ++k) {
    CAPTURE(k);
    CHECK(links[static_cast<std::size_t>(k)].kind == LinkTarget::entry);
    CHECK(links[static_cast<std::size_t>(k)].index == ci);
  }
  CHECK(links[6].kind == LinkTarget::page);
  CHECK(links[7].kind == LinkTarget::page);
  CHECK(c.graph.outgoing[static_cast<std::size_t>(zi)] == std::vector<int>{ci});  // distinct
  REQUIRE(c.graph.page_links.size() == 1);
  CHECK(c.graph.page_links[0][0].index == ci);
  CHECK(find_name(c.graph.entry_by_name, "client") == ci);
  CHECK(find_name(c.graph.entry_by_name, "hulpvrager") == ci);
  CHECK(find_name(c.graph.entry_by_name, "hulpvragers") == -1);
}

TEST_CASE("duplicate titles and aliases are errors at the later definition") {
  std::string a = entry("Zorg", "Naar [[b]].\n");
  std::string b = entry("zorg", "Naar [[a]].\n");
  std::string d = entry("D", "Naar [[a]].\n", "aliases: [Zórg, uniek]\n");
  TestCorpus c({{"a", a}, {"b", b}, {"d", d}});
  CAPTURE(c.all());
  // Messages name the first definition by its display path (the full --content path).
  std::string first = (c.dir / "content/begrippen/a.md").generic_string();
  CHECK(c.has("content/begrippen/b.md:2:1: error: titel 'zorg' bestaat al: titel van " + first + "\n"));
  CHECK(c.has("content/begrippen/d.md:5:11: error: alias 'Zórg' bestaat al: titel van " + first + "\n"));
  // Each clash is reported once (the title and its slug form fold to the same name).
  CHECK(c.diags.count(Severity::error) == 2);
}

TEST_CASE("an alias equal to another entry's slug is an error") {
  TestCorpus c({{"presentie", entry("Presentie", "Naar [[zorg]].\n")},
            {"zorg", entry("Zorg", "Naar [[presentie]].\n", "aliases:\n  - presentie\n")}});
  CAPTURE(c.all());
  bool found = false;
  for (const auto& m : c.messages) found = found || m.rfind("content/begrippen/zorg.md:6:5: error: alias 'presentie' bestaat al: slug van ", 0) == 0;
  CHECK(found);
}

TEST_CASE("unknown theme, source, related and citation") {
  std::string a =
      "---\n"
      "title: A\n"
      "summary: Iets.\n"
      "themes: [kern, praktjk]\n"
      "sources: [baart2001, baart2010]\n"
      "related: [b, onbekend-begrip]\n"
      "---\n"
      "Naar [[b]] met [@schon1938, p. 4] en [@baart2001].\n";
  TestCorpus c({{"a", a}, {"b", entry("B", "Naar [[a]].\n")}});
  CAPTURE(c.all());
  CHECK(c.has("content/begrippen/a.md:4:16: error: onbekend thema 'praktjk'; bedoeld: 'praktijk'?\n"));
  CHECK(c.has("content/begrippen/a.md:5:22: error: onbekende bron 'baart2010'; bedoeld: 'baart2001'?\n"));
  CHECK(c.has("content/begrippen/a.md:6:14: error: onbekend begrip 'onbekend-begrip' in related\n"));
  CHECK(c.has("content/begrippen/a.md:8:17: error: onbekende bron [@schon1938]; bedoeld: [@schon1983]?\n"));
  CHECK(c.diags.count(Severity::error) == 4);
  int ai = c.index("a"), bi = c.index("b");
  CHECK(c.graph.related[static_cast<std::size_t>(ai)] == std::vector<int>{bi});
  CHECK(c.graph.theme_entries["kern"] == std::vector<int>{ai, bi});
  CHECK(c.graph.citing["baart2001"] == std::vector<int>{ai});
  CHECK(c.graph.citing.count("baart2010") == 0);
}

TEST_CASE("backlinks and theme lists are distinct and in A-Z order") {
  TestCorpus c({{"doel", entry("Doel", "Naar [[zorg]].\n")},
            {"de-klik", entry("De klik", "Naar [[doel]] en nog eens [[Doel]].\n")},
            {"aandacht", entry("Aandacht", "Naar [[doel]] en [[de klik]].\n")},
            {"zorg", entry("Zorg", "Naar [[doel]] en [[aandacht]].\n")}});
  CAPTURE(c.all());
  CHECK_FALSE(c.diags.has_errors());
  int doel = c.index("doel"), klik = c.index("de-klik"), aandacht = c.index("aandacht"), zorg = c.index("zorg");
  // "De klik" sorts under K: Aandacht, De klik, Zorg.
  CHECK(c.graph.incoming[static_cast<std::size_t>(doel)] == std::vector<int>{aandacht, klik, zorg});
  CHECK(c.graph.incoming[static_cast<std::size_t>(klik)] == std::vector<int>{aandacht});
  CHECK(c.graph.outgoing[static_cast<std::size_t>(klik)] == std::vector<int>{doel});
  CHECK(c.graph.theme_entries["kern"] == std::vector<int>{aandacht, doel, klik, zorg});
}

TEST_CASE("orphans and entries without links are warned about") {
  TestCorpus c({{"a", entry("A", "Naar [[b]].\n")}, {"b", entry("B", "Naar [[a]].\n")}, {"c", entry("C", "Geen links.\n")}});
  CAPTURE(c.all());
  CHECK(c.has("content/begrippen/c.md: warning: wees: geen enkel ander begrip verwijst hiernaar\n"));
  CHECK(c.has("content/begrippen/c.md: warning: dit begrip verwijst naar geen enkel ander begrip ([[...]])\n"));
  CHECK(c.diags.count(Severity::warning) == 2);
  CHECK_FALSE(c.diags.has_errors());
}

TEST_CASE("self link is a warning and does not count as a backlink") {
  TestCorpus c({{"a", entry("A", "Naar [[b]] en [[A]].\n")}, {"b", entry("B", "Naar [[a]].\n")}});
  CAPTURE(c.all());
  CHECK(c.has("content/begrippen/a.md:6:15: warning: [[A]] verwijst naar dit begrip zelf\n"));
  int ai = c.index("a");
  CHECK(c.graph.outgoing[static_cast<std::size_t>(ai)].size() == 1);
  CHECK(std::count(c.graph.incoming[static_cast<std::size_t>(ai)].begin(), c.graph.incoming[static_cast<std::size_t>(ai)].end(), ai) == 0);
}

TEST_CASE("anchors: known heading resolves to its id, unknown one is an error with suggestion") {
  TestCorpus c({{"a", entry("A", "Naar [[b#Herkomst]], [[b#herkomst]] en [[b#Herkmst]].\n")},
            {"b", entry("B", "## Herkomst\n\nNaar [[a]] en [[#Herkomst]].\n")}});
  CAPTURE(c.all());
  CHECK(c.has("content/begrippen/a.md:6:40: error: onbekend kopje '#Herkmst' in [[b#Herkmst]]; bedoeld: '#herkomst'?\n"));
  int ai = c.index("a");
  const auto& links = c.graph.entry_links[static_cast<std::size_t>(ai)];
  REQUIRE(links.size() == 3);
  CHECK(links[0].anchor == "herkomst");
  CHECK(links[1].anchor == "herkomst");
  // Section-only link points at the entry itself without a self-link warning.
  int bi = c.index("b");
  CHECK(c.graph.entry_links[static_cast<std::size_t>(bi)][1].index == bi);
  CHECK_FALSE(contains(c.all(), "verwijst naar dit begrip zelf"));
}

TEST_CASE("load_corpus: file names, reserved page names, broken files") {
  testutil::TempDir dir("load");
  auto root = dir / "content";
  testutil::write_file(root / "lexicon.yaml", "title: T\nbase_url: https://example.org/lexicon\n");
  testutil::write_file(root / "begrippen" / "Hoofdletter.md", entry("H", "x"));
  testutil::write_file(root / "begrippen" / ".swap.md", "rommel");
  testutil::write_file(root / "begrippen" / "notities.txt", "geen markdown");
  testutil::write_file(root / "begrippen" / "bin.md", std::string("---\ntitle: B") + std::string(1, '\0') + "\n---\n");
  testutil::write_file(root / "begrippen" / "utf.md", "---\ntitle: U\n---\nregel\nab\xFF\n");
  testutil::write_file(root / "begrippen" / "groot.md", "---\ntitle: G\n---\n" + std::string(max_file_bytes, 'a'));
  testutil::write_file(root / "paginas" / "zoeken.md", "---\ntitle: Zoeken\n---\nx\n");
  Diagnostics diags;
  auto corpus = load_corpus(root, diags);
  CHECK(corpus.config.base_url == "https://example.org/lexicon/");
  CHECK(corpus.config.base_path == "/lexicon/");
  CHECK(corpus.entries.empty());
  auto parsed = parse_corpus(std::move(corpus), 1, diags);
  resolve(parsed, diags);
  sort_diagnostics(diags);
  std::string prefix = dir.path().generic_string() + "/";
  std::vector<std::string> m;
  for (const auto& d : diags.items) m.push_back(format_diagnostic(d, DiagnosticFormat::text, false).substr(prefix.size()));
  std::string all;
  for (const auto& s : m) all += s;
  CAPTURE(all);
  CHECK(contains(all, "content/begrippen/Hoofdletter.md: error: ongeldige bestandsnaam; hernoem naar 'hoofdletter.md'"));
  CHECK(contains(all, "content/begrippen/bin.md:1:1: error: binair bestand: verwacht UTF-8-tekst\n"));
  CHECK(contains(all, "content/begrippen/utf.md:5:3: error: ongeldige UTF-8 in het bestand\n"));
  CHECK(contains(all, "content/begrippen/groot.md: error: bestand is te groot"));
  CHECK(contains(all, "content/paginas/zoeken.md: error: de paginanaam 'zoeken' is gereserveerd"));
  CHECK_FALSE(contains(all, "swap"));
  CHECK_FALSE(contains(all, "notities"));
}

TEST_CASE("lexicon.yaml: az_per_letter_from is a whole number of 0 or more, with a positioned error otherwise") {
  testutil::TempDir dir("azconfig");
  auto root = dir / "content";
  testutil::write_file(root / "lexicon.yaml", "title: T\naz_per_letter_from: 250\n");
  Diagnostics ok;
  CHECK(load_corpus(root, ok).config.az_per_letter_from == 250);
  CHECK(ok.items.empty());
  for (const char* bad : {"-1", "veel", "[1]"}) {
    CAPTURE(bad);
    testutil::write_file(root / "lexicon.yaml", std::string("title: T\naz_per_letter_from: ") + bad + "\n");
    Diagnostics diags;
    CHECK(load_corpus(root, diags).config.az_per_letter_from == 1000);  // the default stays
    REQUIRE(diags.items.size() == 1);
    CHECK(diags.items[0].line == 2);
    CHECK(diags.items[0].column == 21);
    CHECK(contains(diags.items[0].message, "'az_per_letter_from' moet een geheel getal van 0 of meer zijn"));
  }
}

TEST_CASE("missing content directory and missing lexicon.yaml") {
  testutil::TempDir dir("missing");
  Diagnostics diags;
  load_corpus(dir / "nope", diags);
  REQUIRE(diags.items.size() == 1);
  CHECK(diags.items[0].message == "map bestaat niet");
  Diagnostics d2;
  std::filesystem::create_directories(dir / "content");
  load_corpus(dir / "content", d2);
  REQUIRE(d2.items.size() == 1);
  CHECK(d2.items[0].message == "lexicon.yaml ontbreekt");
}

TEST_CASE("the name table keeps the first owner of each name through growth") {
  NameTable table;
  CHECK(find_name(table, "x") == -1);  // empty: no slots yet
  std::vector<std::string> names;
  for (int i = 0; i < 5000; ++i) names.push_back(fmt::format("begrip {}", i));
  for (int i = 0; i < 5000; ++i) CHECK(claim_name(table, names[static_cast<std::size_t>(i)], i) == i);
  CHECK(table.count == 5000);
  CHECK(table.slots.size() >= 10000);  // never more than half full
  // A second claim keeps the first owner and adds nothing.
  CHECK(claim_name(table, "begrip 17", 99) == 17);
  CHECK(table.count == 5000);
  for (int i = 0; i < 5000; i += 7) CHECK(find_name(table, names[static_cast<std::size_t>(i)]) == i);
  CHECK(find_name(table, "begrip 5000") == -1);
  CHECK(find_name(table, "begrip 1") == 1);
  CHECK(find_name(table, "begrip 10") == 10);   // a prefix of other names is a name of its own
  CHECK(find_name(table, "") == -1);
  CHECK(claim_name(table, "", 3) == 3);         // even the empty name, once claimed
  CHECK(find_name(table, "") == 3);
}
