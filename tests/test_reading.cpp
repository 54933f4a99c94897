// Reading aids of the site: concept maps (Graphviz layout, our SVG), SKOS export, reserved ids.
#include <doctest/doctest.h>

#include <regex>
#include <thread>

#include "build_helpers.h"
#include "conceptmap.h"
#include "content.h"
#include "markdown.h"
#include "skos.h"

#include <nlohmann/json.hpp>

using namespace lexicon;

namespace {

ConceptGraph star(const std::string& focus, std::vector<std::string> others) {
  ConceptGraph g;
  g.label = "Kaart van " + focus;
  g.nodes.push_back({focus, "", true});
  for (std::size_t i = 0; i < others.size(); ++i) {
    g.nodes.push_back({others[i], "/begrippen/n" + std::to_string(i) + "/", false});
    g.edges.push_back({0, static_cast<int>(i + 1), false});
  }
  return g;
}

}  // namespace

TEST_CASE("concept map: nodes are links, texts are escaped, no prolog or comments") {
  ConceptMapper mapper;
  ConceptGraph g = star("<script>alert(1)</script>", {"Leefwereld", "a & b \"c\"", "</svg><script>x()</script>"});
  g.nodes[1].url = "javascript:alert(1)";  // never becomes a link
  std::string svg = concept_map_svg(g, mapper);
  REQUIRE(!svg.empty());
  CHECK(svg.starts_with("<svg "));
  CHECK(svg.ends_with("</svg>"));
  CHECK(svg.find("<script") == std::string::npos);
  CHECK(svg.find("&lt;script&gt;") != std::string::npos);
  CHECK(svg.find("a &amp; b &quot;c&quot;") != std::string::npos);
  CHECK(svg.find("<?xml") == std::string::npos);
  CHECK(svg.find("<!--") == std::string::npos);
  CHECK(svg.find("<!DOCTYPE") == std::string::npos);
  CHECK(svg.find("javascript:") == std::string::npos);
  CHECK(svg.find("<a href=\"/begrippen/n1/\">") != std::string::npos);
  CHECK(svg.find("<a href=\"/begrippen/n2/\">") != std::string::npos);
  CHECK(svg.find("aria-label=\"Kaart van &lt;script&gt;") != std::string::npos);
  CHECK(svg.find("aria-current=\"page\"") != std::string::npos);
  // Every node got a box inside the viewBox.
  std::regex rect(R"re(<rect x="(-?[\d.]+)" y="(-?[\d.]+)" width="([\d.]+)" height="([\d.]+)")re");
  std::smatch m;
  std::regex view(R"re(viewBox="0 0 ([\d.]+) ([\d.]+)")re");
  REQUIRE(std::regex_search(svg, m, view));
  double w = std::stod(m[1]), h = std::stod(m[2]);
  int rects = 0;
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), rect); it != std::sregex_iterator(); ++it, ++rects) {
    CHECK(std::stod((*it)[1]) >= 0);
    CHECK(std::stod((*it)[2]) >= 0);
    CHECK(std::stod((*it)[1]) + std::stod((*it)[3]) <= w + 0.1);
    CHECK(std::stod((*it)[2]) + std::stod((*it)[4]) <= h + 0.1);
  }
  CHECK(rects == 4);
}

TEST_CASE("concept map: boxes do not overlap, and a link both ways is one line with two arrows") {
  ConceptMapper mapper;
  ConceptGraph g = star("Presentie", {"Leefwereld", "Aansluiten en afstemmen", "Nabijheid", "Zorgethiek", "Andries Baart",
                                      "Wat op het spel staat", "Trouw (de ander niet verlaten)"});
  g.edges.push_back({1, 0, false});
  ConceptLayout l = mapper.layout(g);
  REQUIRE(l.boxes.size() == g.nodes.size());
  for (std::size_t i = 0; i < l.boxes.size(); ++i) {
    for (std::size_t j = i + 1; j < l.boxes.size(); ++j) {
      const auto& a = l.boxes[i];
      const auto& b = l.boxes[j];
      bool apart = std::abs(a.x - b.x) >= (a.w + b.w) / 2 - 0.5 || std::abs(a.y - b.y) >= (a.h + b.h) / 2 - 0.5;
      CHECK_MESSAGE(apart, g.nodes[i].label << " overlaps " << g.nodes[j].label);
    }
  }
  std::string svg = concept_map_svg(g, mapper);
  std::size_t lines = 0;
  for (auto p = svg.find("<line"); p != std::string::npos; p = svg.find("<line", p + 1)) ++lines;
  CHECK(lines == 7);
  CHECK(svg.find("marker-start=\"url(#kaart-pijl)\" marker-end=\"url(#kaart-pijl)\"") != std::string::npos);
}

TEST_CASE("concept map: layouts are cached by shape, deterministic, and safe from many threads") {
  ConceptMapper mapper;
  std::string a = concept_map_svg(star("Een", {"Twee", "Drie"}), mapper);
  // Same shape (same label widths, same edges), other texts: the layout is reused.
  std::string b = concept_map_svg(star("Eén", {"Vier", "Vijf"}), mapper);
  CHECK(mapper.layouts_computed() == 1);
  CHECK(mapper.cache_hits() == 1);
  ConceptMapper other;
  CHECK(concept_map_svg(star("Een", {"Twee", "Drie"}), other) == a);

  std::vector<std::thread> threads;
  std::vector<std::string> out(8);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      std::vector<std::string> names;
      for (int k = 0; k <= t; ++k) names.push_back("Begrip nummer " + std::to_string(k));
      out[static_cast<std::size_t>(t)] = concept_map_svg(star("Midden", names), mapper);
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& s : out) CHECK(s.find("</svg>") != std::string::npos);
  CHECK(concept_map_svg(star("Alleen", {}), mapper).empty());
}

TEST_CASE("concept map: an entry's neighbourhood is its links and backlinks, capped") {
  std::vector<std::string> titles, urls;
  for (int i = 0; i < 30; ++i) {
    titles.push_back("T" + std::to_string(i));
    urls.push_back("/b/" + std::to_string(i) + "/");
  }
  std::vector<std::vector<int>> out(30);
  std::vector<int> outgoing = {1, 2, 3}, incoming = {3, 4};
  ConceptGraph g = entry_concept_graph(0, outgoing, incoming, out, titles, urls);
  REQUIRE(g.nodes.size() == 5);
  CHECK(g.nodes[0].focus);
  CHECK(g.nodes[1].label == "T3");  // both ways first
  CHECK(g.edges.size() == 5);       // 3 out + 2 in
  std::vector<int> many;
  for (int i = 1; i < 30; ++i) many.push_back(i);
  CHECK(entry_concept_graph(0, many, {}, out, titles, urls).nodes.size() == concept_map_max_neighbours + 1);
}

TEST_CASE("SKOS: Turtle literals and IRIs are escaped") {
  CHECK(turtle_string("a \"b\" \\ c\nd\te\x01") == "\"a \\\"b\\\" \\\\ c\\nd\\te\\u0001\"");
  CHECK(turtle_string("één") == "\"één\"");
  CHECK(turtle_iri("https://x.org/a b<c>") == "<https://x.org/a%20b%3Cc%3E>");
}

TEST_CASE("the real lexicon: concept maps on entries and themes, SKOS export, reserved ids") {
  testutil::TempDir tmp("reading");
  lexicon::BuildOptions o;
  o.content_dir = testutil::source_dir() / "content";
  o.site_dir = tmp / "site";
  o.templates_dir = testutil::templates_dir();
  o.jobs = 2;
  auto report = lexicon::run_build(o, false);
  REQUIRE(report.exit_code == 0);
  std::string entry = testutil::read_file(tmp / "site/begrippen/presentie/index.html");
  CHECK(entry.find("<svg class=\"concept-map-svg\"") != std::string::npos);
  CHECK(entry.find("<a href=\"/begrippen/leefwereld/\"><rect") != std::string::npos);
  CHECK(testutil::read_file(tmp / "site/themas/presentie/index.html").find("concept-map-svg") != std::string::npos);
  // A body heading "Inhoud" must not take the id of <main id="inhoud">.
  std::string rolwerk = testutil::read_file(tmp / "site/begrippen/rolwerk/index.html");
  std::size_t ids = 0;
  for (auto p = rolwerk.find("id=\"inhoud\""); p != std::string::npos; p = rolwerk.find("id=\"inhoud\"", p + 1)) ++ids;
  CHECK(ids == 1);
  // SKOS: every entry is a concept in both serialisations.
  std::string ttl = testutil::read_file(tmp / "site/skos.ttl");
  std::size_t concepts = 0;
  for (auto p = ttl.find(" a skos:Concept ;"); p != std::string::npos; p = ttl.find(" a skos:Concept ;", p + 1)) ++concepts;
  CHECK(concepts == 90);
  CHECK(ttl.find("skos:altLabel") != std::string::npos);
  CHECK(ttl.find("\"@en") != std::string::npos);
  auto jsonld = nlohmann::json::parse(testutil::read_file(tmp / "site/skos.jsonld"));
  std::size_t json_concepts = 0;
  for (const auto& n : jsonld["@graph"]) json_concepts += n["@type"] == "skos:Concept";
  CHECK(json_concepts == 90);
  std::string home = testutil::read_file(tmp / "site/index.html");
  CHECK(home.find("\"@type\":\"DefinedTermSet\"") != std::string::npos);
}
