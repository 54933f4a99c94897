#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <regex>
#include <set>
#include <string>

#include <nlohmann/json.hpp>
#include <xapian.h>

#include "build.h"
#include "build_helpers.h"
#include "search_schema.h"

using namespace lexicon;
using namespace testutil;

namespace {

std::string dump_index(const fs::path& dir) {
  Xapian::Database db(dir.string());
  std::string out = "docs=" + std::to_string(db.get_doccount()) + "\n";
  for (auto d = db.postlist_begin(""); d != db.postlist_end(""); ++d) {
    Xapian::Document doc = db.get_document(*d);
    out += "doc " + std::to_string(*d) + "\n" + doc.get_data() + "\n";
    for (auto t = doc.termlist_begin(); t != doc.termlist_end(); ++t) {
      out += *t + ":" + std::to_string(t.get_wdf()) + " ";
    }
    out += "\n";
    for (auto v = doc.values_begin(); v != doc.values_end(); ++v) out += std::to_string(v.get_valueno()) + "=" + *v + ";";
    out += "\n";
  }
  for (auto k = db.metadata_keys_begin(); k != db.metadata_keys_end(); ++k) out += *k + "=" + db.get_metadata(*k) + "\n";
  for (auto s = db.spellings_begin(); s != db.spellings_end(); ++s) out += "spell " + *s + ":" + std::to_string(s.get_termfreq()) + "\n";
  return out;
}

}  // namespace

TEST_CASE("the good fixture builds without any diagnostic") {
  TempDir tmp("build");
  auto report = build_copy(tmp, "good");
  INFO(all_diagnostics(report));
  CHECK(report.exit_code == 0);
  CHECK(report.diagnostics.items.empty());
  CHECK(report.entries == 6);
  CHECK(report.files > 20);
}

TEST_CASE("the output contains every page type") {
  TempDir tmp("pages");
  auto report = build_copy(tmp, "good");
  REQUIRE_MESSAGE(report.exit_code == 0, all_diagnostics(report));
  fs::path site = tmp / "site";
  for (const char* f : {"index.html", "a-z/index.html", "themas/index.html", "themas/kern/index.html",
                        "themas/praktijk/index.html", "themas/ethiek/index.html", "bronnen/index.html",
                        "begrippen/presentie/index.html", "begrippen/client/index.html", "begrippen/de-klik/index.html",
                        "begrippen/casuistiek/index.html", "begrippen/leefwereld/index.html",
                        "begrippen/zorgmijding/index.html", "over/index.html", "colofon/index.html",
                        "redactiegids/index.html", "zoeken/index.html", "404.html", "sitemap.xml",
                        "begrippen/index.html", "begrippen/presentiebenadering/index.html",
                        "begrippen/hulpvrager/index.html", "static/style.css", "media/schema.svg"}) {
    CAPTURE(f);
    CHECK(fs::is_regular_file(site / f));
  }
  CHECK(fs::is_directory(site / ".xapian"));
  CHECK(read_file(site / "static/style.css") == read_file(templates_dir() / "static/style.css"));

  // Alias redirect.
  std::string redirect = read_file(site / "begrippen/presentiebenadering/index.html");
  CHECK(contains(redirect, "<meta http-equiv=\"refresh\" content=\"0; url=/begrippen/presentie/\">"));
  CHECK(contains(redirect, "<link rel=\"canonical\" href=\"https://example.org/begrippen/presentie/\">"));
  CHECK(contains(read_file(site / "begrippen/index.html"), "url=/a-z/"));

  // Entry page.
  std::string presentie = read_file(site / "begrippen/presentie/index.html");
  CHECK(contains(presentie, "<h1>Presentie</h1>"));
  CHECK(contains(presentie, "<span lang=\"en\">presence approach</span>"));
  CHECK(contains(presentie, "<a href=\"/begrippen/leefwereld/\" title=\"De wereld zoals de ander die beleeft, met eigen logica en eigen tempo.\">leefwereld</a>"));
  CHECK(contains(presentie, "href=\"/begrippen/leefwereld/#herkomst\""));
  CHECK(contains(presentie, "href=\"/colofon/\""));
  CHECK(contains(presentie, "<a href=\"#bron-baart2001\" title=\"Een theorie van de presentie\">Baart, 2001, p. 12</a>"));
  CHECK(contains(presentie, "<li id=\"bron-baart2001\">"));
  CHECK(contains(presentie, "<img src=\"/media/schema.svg\" alt=\"Schema van de acht kenmerken\""));
  CHECK(contains(presentie, "<span lang=\"en\">presence</span>"));
  CHECK(contains(presentie, "application/ld+json"));
  CHECK(contains(presentie, "class=\"toc\""));
  CHECK(contains(presentie, "Verwijzingen naar dit begrip"));
  CHECK_FALSE(contains(presentie, "[["));
  CHECK_FALSE(contains(presentie, "[@"));
  // Two authors: "Tronto & Fisher"; DOI becomes a doi.org link.
  std::string client = read_file(site / "begrippen/client/index.html");
  CHECK(contains(client, "Tronto &amp; Fisher, 1993"));
  CHECK(contains(client, "href=\"https://doi.org/10.4324/9781003070672\""));
  // Table cell link with escaped pipe.
  std::string leefwereld = read_file(site / "begrippen/leefwereld/index.html");
  CHECK(contains(leefwereld, "<a href=\"/begrippen/presentie/\" title=\"Een benadering waarin de relatie met de ander het vertrekpunt is.\">De presentiebenadering</a>"));
  CHECK(contains(leefwereld, "<code>&lt;script&gt;</code>"));
  // Bare URL.
  CHECK(contains(read_file(site / "begrippen/zorgmijding/index.html"),
                 "<a href=\"https://example.net/zorgmijding\">https://example.net/zorgmijding</a>"));
  // Theme names are escaped; theme page lists its entries.
  std::string ethiek = read_file(site / "themas/ethiek/index.html");
  CHECK(contains(ethiek, "<h1>Ethiek &amp; houding</h1>"));
  CHECK(contains(ethiek, "href=\"/begrippen/de-klik/\""));
  CHECK_FALSE(contains(ethiek, "href=\"/begrippen/presentie/\">Presentie</a><span>"));
  // A-Z: "De klik" is listed under K, aliases as "zie".
  std::string az = read_file(site / "a-z/index.html");
  auto k = az.find("<h2 id=\"letter-k\">"), l = az.find("<h2 id=\"letter-l\">"), klik = az.find(">De klik</a>");
  REQUIRE(k != std::string::npos);
  REQUIRE(klik != std::string::npos);
  CHECK(k < klik);
  CHECK((l == std::string::npos || klik < l));
  CHECK(contains(az, "<span>hulpvrager</span>: zie <a href=\"/begrippen/client/\">Cliënt</a>"));
  CHECK(contains(az, "<span lang=\"en\">presence approach</span>: zie"));
  CHECK(contains(az, "<li><a href=\"#letter-k\">K</a></li>"));  // the letter bar, to the sections
  CHECK(contains(az, "<li><span aria-hidden=\"true\">B</span></li>"));
  CHECK_FALSE(contains(az, "letter-overig"));  // no names outside a-z here
  // Sources page lists citing entries.
  std::string bronnen = read_file(site / "bronnen/index.html");
  CHECK(contains(bronnen, "<li id=\"bron-schon1983\">"));
  CHECK(contains(bronnen, "href=\"https://example.net/folder.pdf\""));
  // Sitemap has absolute URLs for every entry.
  std::string sitemap = read_file(site / "sitemap.xml");
  CHECK(contains(sitemap, "<loc>https://example.org/begrippen/presentie/</loc>"));
  CHECK(contains(sitemap, "<loc>https://example.org/themas/ethiek/</loc>"));
  CHECK(contains(sitemap, "<loc>https://example.org/over/</loc>"));
}

TEST_CASE("a title in another language carries its lang on every list, and no other title takes it") {
  TempDir tmp("titlelang");
  copy_tree(fixtures_dir() / "good/content", tmp / "content");
  const fs::path file = tmp / "content/begrippen/leefwereld.md";
  std::string text = read_file(file);
  text.replace(text.find("title: Leefwereld\n"), 18, "title: Lebenswelt\ntitle_lang: de\nsources: [baart2001]\n");
  write_file(file, text);
  auto r = build_copy(tmp, "good", "site", false);
  REQUIRE_MESSAGE(r.exit_code == 0, all_diagnostics(r));
  const fs::path site = tmp / "site";
  // The theme and sources pages leave an empty title_lang out of their rows (render.cpp, entry_ref).
  const std::string ethiek = read_file(site / "themas/ethiek/index.html");
  CHECK(contains(ethiek, "<a href=\"/begrippen/leefwereld/\" lang=\"de\">Lebenswelt</a>"));
  CHECK(contains(ethiek, "<a href=\"/begrippen/casuistiek/\">Casuïstiek</a>"));
  const std::string bronnen = read_file(site / "bronnen/index.html");
  CHECK(contains(bronnen, "<a href=\"/begrippen/leefwereld/\" lang=\"de\">Lebenswelt</a>"));
  CHECK(contains(bronnen, "<a href=\"/begrippen/presentie/\">Presentie</a>"));
  // On its own page (which has a title_lang of its own) the entries it lists keep theirs, empty.
  const std::string own = read_file(site / "begrippen/leefwereld/index.html");
  CHECK(contains(own, "<h1 lang=\"de\">Lebenswelt</h1>"));
  CHECK(contains(own, "<a href=\"/begrippen/presentie/\">Presentie</a>"));
  CHECK_FALSE(contains(own, "<a href=\"/begrippen/presentie/\" lang=\"de\">"));
}

TEST_CASE("every internal link and fragment resolves") {
  TempDir tmp("links");
  auto report = build_copy(tmp, "good");
  REQUIRE_MESSAGE(report.exit_code == 0, all_diagnostics(report));
  std::size_t checked = 0;
  auto problems = walk_links(tmp / "site", "https://example.org/", "/", &checked);
  CHECK_MESSAGE(problems.empty(), describe(problems));
  CHECK(checked > 200);
  // The sitemap's URLs resolve too.
  std::string sitemap = read_file(tmp / "site/sitemap.xml");
  std::regex loc("<loc>https://example\\.org/([^<]*)</loc>");
  int locs = 0;
  for (std::sregex_iterator it(sitemap.begin(), sitemap.end(), loc), end; it != end; ++it, ++locs) {
    CHECK(fs::is_regular_file(tmp / "site" / (*it)[1].str() / "index.html"));
  }
  CHECK(locs == 4 + 3 + 6 + 3);
}

TEST_CASE("the link walker itself detects broken links and fragments") {
  TempDir tmp("walker");
  write_file(tmp / "site/index.html", "<a href=\"/a/\">a</a> <a href=\"/a/#x\">x</a> <a href=\"#top\">t</a> <p id=\"top\">");
  write_file(tmp / "site/a/index.html", "<h2 id=\"y\">y</h2><img src=\"/missing.png\" alt=\"m\">");
  auto problems = walk_links(tmp / "site", "https://example.org/", "/");
  REQUIRE(problems.size() == 2);
  std::set<std::string> links = {problems[0].link, problems[1].link};
  CHECK(links == std::set<std::string>{"/a/#x", "/missing.png"});
}

TEST_CASE("no page has duplicate ids (body headings must not clash with template ids)") {
  // The fixture's presentie.md has a heading "## Inhoud", as content/begrippen/rolwerk.md does; the layout
  // already uses id="inhoud" for <main>, so the skip link and the heading share one id.
  TempDir tmp("ids");
  auto report = build_copy(tmp, "good");
  REQUIRE_MESSAGE(report.exit_code == 0, all_diagnostics(report));
  std::string duplicates;
  for (auto it = fs::recursive_directory_iterator(tmp / "site"); it != fs::recursive_directory_iterator(); ++it) {
    if (it->path().extension() != ".html") continue;
    std::map<std::string, int> seen;
    for (const auto& id : attribute_values(read_file(it->path()), "id")) {
      if (++seen[id] == 2) duplicates += fs::relative(it->path(), tmp / "site").generic_string() + ": id=\"" + id + "\"\n";
    }
  }
  CHECK_MESSAGE(duplicates.empty(), duplicates);
}

TEST_CASE("two builds are byte-identical, and so is the index") {
  TempDir tmp("determinism");
  auto r1 = build_copy(tmp, "good", "site1");
  lexicon::BuildOptions o;
  o.content_dir = tmp / "content";
  o.site_dir = tmp / "site2";
  o.templates_dir = templates_dir();
  o.jobs = 1;  // a different thread count must not change the output
  auto r2 = run_build(o, false);
  REQUIRE(r1.exit_code == 0);
  REQUIRE(r2.exit_code == 0);
  auto a = snapshot(tmp / "site1", {".xapian"});
  auto b = snapshot(tmp / "site2", {".xapian"});
  CHECK(a.size() == b.size());
  for (const auto& [path, bytes] : a) {
    CAPTURE(path);
    REQUIRE(b.count(path) == 1);
    CHECK(bytes == b[path]);
  }
  CHECK(dump_index(tmp / "site1/.xapian") == dump_index(tmp / "site2/.xapian"));
}

TEST_CASE("the index holds every entry, page and source with JSON data") {
  TempDir tmp("index");
  REQUIRE(build_copy(tmp, "good").exit_code == 0);
  Xapian::Database db((tmp / "site/.xapian").string());
  CHECK(db.get_doccount() == 6 + 3 + 4);
  CHECK(db.term_exists("Qbegrip:presentie"));
  CHECK(db.term_exists("Qpagina:over"));
  CHECK(db.term_exists("Qbron:baart2001"));
  CHECK(db.get_termfreq("XTkern") == 2);
  CHECK(db.get_termfreq("XTethiek") == 3);
  CHECK(db.get_metadata("theme:ethiek") == "Ethiek & houding");
  auto post = db.postlist_begin("Qbegrip:client");
  REQUIRE(post != db.postlist_end("Qbegrip:client"));
  auto data = nlohmann::json::parse(db.get_document(*post).get_data());
  CHECK(data["title"] == "Cliënt");
  CHECK(data["url"] == "/begrippen/client/");
  CHECK(data["type"] == "begrip");
  CHECK(data["aliases"] == nlohmann::json::array({"hulpvrager", "Klant"}));
}

TEST_CASE("a broken build exits 1 and leaves the previous site untouched") {
  TempDir tmp("broken");
  REQUIRE(build_copy(tmp, "good").exit_code == 0);
  auto before = snapshot(tmp / "site");
  fs::remove_all(tmp / "content");
  auto report = build_copy(tmp, "broken");
  CHECK(report.exit_code == 1);
  std::string diags = all_diagnostics(report);
  CHECK(contains(diags, (tmp / "content").generic_string() +
                            "/begrippen/a.md:5:33: error: onbekende verwijzing [[bestaat-niet]]\n"));
  CHECK(snapshot(tmp / "site") == before);
  CHECK(leftovers(tmp.path()).empty());
}

TEST_CASE("strict mode turns warnings into a failed build, check writes nothing") {
  TempDir tmp("strict");
  copy_tree(fixtures_dir() / "good/content", tmp / "content");
  write_file(tmp / "content/begrippen/wees.md", "---\ntitle: Wees\nsummary: Niemand linkt hierheen.\n---\nNaar [[presentie]].\n");
  BuildOptions o;
  o.content_dir = tmp / "content";
  o.site_dir = tmp / "site";
  o.templates_dir = templates_dir();
  o.jobs = 2;
  o.strict = true;
  auto strict = run_build(o, false);
  CHECK(strict.exit_code == 1);
  CHECK(strict.diagnostics.count(Severity::warning) == 1);
  CHECK_FALSE(fs::exists(tmp / "site"));
  o.strict = false;
  auto check = run_build(o, true);
  CHECK(check.exit_code == 0);
  CHECK_FALSE(fs::exists(tmp / "site"));
  auto build = run_build(o, false);
  CHECK(build.exit_code == 0);
  CHECK(fs::is_regular_file(tmp / "site/begrippen/wees/index.html"));
}

TEST_CASE("a rebuild replaces the whole generation and leaves no staging directories") {
  TempDir tmp("rebuild");
  REQUIRE(build_copy(tmp, "good").exit_code == 0);
  write_file(tmp / "site/stale.html", "oud");
  // Remove an entry (and the links to it) and rebuild.
  fs::remove(tmp / "content/begrippen/casuistiek.md");
  for (const char* f : {"content/begrippen/zorgmijding.md", "content/paginas/over.md"}) {
    std::string text = read_file(tmp / f);
    for (std::string link : {"[[casuïstiek]]"}) {
      for (std::size_t p; (p = text.find(link)) != std::string::npos;) text.replace(p, link.size(), "casuïstiek");
    }
    write_file(tmp / f, text);
  }
  auto report = build_copy(tmp, "good", "site", false);
  REQUIRE_MESSAGE(report.exit_code == 0, all_diagnostics(report));
  CHECK_FALSE(fs::exists(tmp / "site/stale.html"));
  CHECK_FALSE(fs::exists(tmp / "site/begrippen/casuistiek"));
  CHECK(fs::exists(tmp / "site/begrippen/presentie/index.html"));
  CHECK(leftovers(tmp.path()).empty());
  CHECK(fs::exists(tmp / ".site.spare/stale.html"));  // the previous generation, kept for recycling
}

TEST_CASE("the generator never modifies content") {
  TempDir tmp("readonly");
  copy_tree(fixtures_dir() / "good/content", tmp / "content");
  auto before = snapshot(tmp / "content");
  std::map<std::string, fs::file_time_type> times;
  for (const auto& e : fs::recursive_directory_iterator(tmp / "content")) times[e.path().string()] = e.last_write_time();
  auto report = build_copy(tmp, "good", "site", false);
  REQUIRE(report.exit_code == 0);
  CHECK(snapshot(tmp / "content") == before);
  std::size_t n = 0;
  for (const auto& e : fs::recursive_directory_iterator(tmp / "content")) {
    ++n;
    CHECK(times[e.path().string()] == e.last_write_time());
  }
  CHECK(n == times.size());
  // The fixture in the source tree is not touched either (nothing written next to it).
  CHECK_FALSE(fs::exists(fixtures_dir() / "good/site"));
}

TEST_CASE("base_url with a path prefix: every internal link starts with /lexicon/") {
  TempDir tmp("prefix");
  copy_tree(fixtures_dir() / "good/content", tmp / "content");
  std::string config = read_file(tmp / "content/lexicon.yaml");
  auto p = config.find("https://example.org/");
  REQUIRE(p != std::string::npos);
  config.replace(p, std::string("https://example.org/").size(), "https://example.org/lexicon/");
  write_file(tmp / "content/lexicon.yaml", config);
  auto report = build_copy(tmp, "good", "site", false);
  REQUIRE_MESSAGE(report.exit_code == 0, all_diagnostics(report));
  std::size_t checked = 0;
  auto problems = walk_links(tmp / "site", "https://example.org/lexicon/", "/lexicon/", &checked);
  CHECK_MESSAGE(problems.empty(), describe(problems));
  CHECK(checked > 200);
  std::string bad;
  for (auto it = fs::recursive_directory_iterator(tmp / "site"); it != fs::recursive_directory_iterator(); ++it) {
    if (it->path().extension() != ".html") continue;
    for (const auto& link : links_of(read_file(it->path()))) {
      bool internal_path = !link.empty() && link[0] == '/';
      bool own_host = link.rfind("https://example.org", 0) == 0;
      if ((internal_path && link.rfind("/lexicon/", 0) != 0) ||
          (own_host && link.rfind("https://example.org/lexicon/", 0) != 0)) {
        bad += fs::relative(it->path(), tmp / "site").generic_string() + ": " + link + "\n";
      }
    }
  }
  CHECK_MESSAGE(bad.empty(), bad);
  CHECK(contains(read_file(tmp / "site/sitemap.xml"), "<loc>https://example.org/lexicon/begrippen/presentie/</loc>"));
  Xapian::Database db((tmp / "site/.xapian").string());
  auto post = db.postlist_begin("Qbegrip:presentie");
  REQUIRE(post != db.postlist_end("Qbegrip:presentie"));
  CHECK(nlohmann::json::parse(db.get_document(*post).get_data())["url"] == "/lexicon/begrippen/presentie/");
}

TEST_CASE("a source's index document names ten citing entries and counts the rest, its page lists them all") {
  TempDir tmp("citing");
  copy_tree(fixtures_dir() / "good" / "content", tmp / "content");
  for (int k = 1; k <= 12; ++k) {
    write_file(tmp / ("content/begrippen/citaat-" + std::to_string(k) + ".md"),
               "---\ntitle: Citaat " + std::to_string(k) + "\nsummary: Haalt Schön aan.\n---\nZie [[presentie]] en [@schon1983].\n");
  }
  REQUIRE(build_copy(tmp, "good", "site", false).exit_code == 0);
  Xapian::Database db((tmp / "site/.xapian").string());
  auto post = db.postlist_begin("Qbron:schon1983");
  REQUIRE(post != db.postlist_end("Qbron:schon1983"));
  auto data = nlohmann::json::parse(db.get_document(*post).get_data());
  const std::string summary = data["summary"];
  // The fixture's own citing entries plus the twelve, in title order: the first ten by name.
  std::size_t named = 0;
  for (std::size_t at = 0; (at = summary.find(", ", at)) != std::string::npos; at += 2) ++named;
  CHECK(named + 1 == 10);
  CHECK(summary.find("Citaat 1, Citaat 10, Citaat 11, Citaat 12") != std::string::npos);
  const auto total = 12 + std::count_if(fs::directory_iterator(tmp / "content/begrippen"), fs::directory_iterator(), [](const auto& f) {
    return !f.path().filename().string().starts_with("citaat-") && read_file(f.path()).find("@schon1983") != std::string::npos;
  });
  CHECK(summary.ends_with(" en " + std::to_string(total - 10) + " andere begrippen"));
  CHECK(!data.contains("citing"));
  const std::string page = read_file(tmp / "site/bronnen/index.html");
  for (int k = 1; k <= 12; ++k) CHECK(page.find(">Citaat " + std::to_string(k) + "</a>") != std::string::npos);

  // A title with a comma: the titles are then separated by semicolons.
  write_file(tmp / "content/begrippen/citaat-1.md",
             "---\ntitle: Citaat 1, het eerste\nsummary: Haalt Schön aan.\n---\nZie [[presentie]] en [@schon1983].\n");
  REQUIRE(build_copy(tmp, "good", "site", false).exit_code == 0);
  Xapian::Database again((tmp / "site/.xapian").string());
  auto hit = again.postlist_begin("Qbron:schon1983");
  REQUIRE(hit != again.postlist_end("Qbron:schon1983"));
  const std::string with_comma = nlohmann::json::parse(again.get_document(*hit).get_data())["summary"];
  CHECK(with_comma.find("Citaat 1, het eerste; Citaat 10; Citaat 11; Citaat 12") != std::string::npos);
}
