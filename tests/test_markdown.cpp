#include <doctest/doctest.h>

#include <regex>
#include <string>

#include "diagnostics.h"
#include "markdown.h"
#include "test_util.h"

using namespace lexicon;
using testutil::contains;

namespace {

const char* const kPath = "content/begrippen/x.md";
const std::string kFront = "---\ntitle: X\n---\n";  // body starts on file line 4

struct Parsed {
  MarkdownDoc doc;
  Diagnostics diags;
  std::string html;
  std::vector<std::string> messages;  // format_diagnostic without source lines
};

Parsed parse(const std::string& body) {
  Parsed p;
  p.doc = parse_markdown(body, kPath, kFront + body, 4, p.diags);
  p.html = render_html(p.doc);
  for (const auto& d : p.diags.items) p.messages.push_back(format_diagnostic(d, DiagnosticFormat::text, false));
  return p;
}

}  // namespace

TEST_CASE("wiki links: plain, labelled, anchored") {
  auto p = parse("Zie [[presentie]], [[zorg-mijding|zorgmijders]] en [[leefwereld#Herkomst]].\n");
  CHECK(p.diags.items.empty());
  REQUIRE(p.doc.links.size() == 3);
  CHECK(p.doc.links[0].target == "presentie");
  CHECK(p.doc.links[0].label == "presentie");
  CHECK_FALSE(p.doc.links[0].has_label);
  CHECK(p.doc.links[0].anchor == "");
  CHECK(p.doc.links[1].target == "zorg-mijding");
  CHECK(p.doc.links[1].label == "zorgmijders");
  CHECK(p.doc.links[1].has_label);
  CHECK(p.doc.links[2].target == "leefwereld");
  CHECK(p.doc.links[2].anchor == "Herkomst");
  // Positions are file positions of the "[[".
  CHECK(p.doc.links[0].line == 4);
  CHECK(p.doc.links[0].column == 5);
  CHECK(p.doc.links[1].column == 20);
  CHECK(p.doc.links[2].column == 52);
  // Unresolved links render as links with an empty URL until the render stage fills them.
  CHECK(contains(p.html, ">zorgmijders</a>"));
  CHECK_FALSE(contains(p.html, "[["));
}

TEST_CASE("wiki link positions count code points and later lines") {
  auto p = parse("Eerste regel met cliënt.\n\nDe cliënt, de één: [[presentie]].\n");
  REQUIRE(p.doc.links.size() == 1);
  CHECK(p.doc.links[0].line == 6);
  CHECK(p.doc.links[0].column == 20);
}

TEST_CASE("same wiki link twice on a line gets two different columns") {
  auto p = parse("[[a]] en [[a]]\n");
  REQUIRE(p.doc.links.size() == 2);
  CHECK(p.doc.links[0].column == 1);
  CHECK(p.doc.links[1].column == 10);
}

TEST_CASE("section-only wiki link to #kop targets the document itself") {
  auto p = parse("Zie [[#Herkomst]].\n");
  REQUIRE(p.doc.links.size() == 1);
  CHECK(p.doc.links[0].target == "");
  CHECK(p.doc.links[0].anchor == "Herkomst");
  CHECK(p.doc.links[0].label == "Herkomst");
}

TEST_CASE("empty wiki link is an error and stays literal") {
  auto p = parse("Leeg: [[ ]] hier.\n");
  CHECK(p.doc.links.empty());
  REQUIRE(p.messages.size() == 1);
  CHECK(p.messages[0] == "content/begrippen/x.md:4:7: error: lege verwijzing [[ ]]\n");
  CHECK(contains(p.html, "[[ ]]"));
}

TEST_CASE("wiki link with escaped pipe in a GFM table cell") {
  std::string body =
      "| Begrip | Uitleg |\n"
      "|--------|--------|\n"
      "| [[doel\\|tekst]] | iets |\n";
  auto p = parse(body);
  CHECK(p.diags.items.empty());
  REQUIRE(p.doc.links.size() == 1);
  CHECK(p.doc.links[0].target == "doel");
  CHECK(p.doc.links[0].label == "tekst");
  CHECK(p.doc.links[0].has_label);
  CHECK(p.doc.links[0].line == 6);
  CHECK(p.doc.links[0].column == 3);
  CHECK(contains(p.html, "<table>"));
  CHECK(contains(p.html, ">tekst</a>"));
  CHECK_FALSE(contains(p.html, "\\"));
}

TEST_CASE("wiki link syntax inside code stays literal") {
  auto p = parse("Schrijf `[[presentie]]` voor een link.\n\n```\n[[leefwereld]] en [@baart2001]\n```\n");
  CHECK(p.doc.links.empty());
  CHECK(p.doc.citations.empty());
  CHECK(p.diags.items.empty());
  CHECK(contains(p.html, "<code>[[presentie]]</code>"));
  CHECK(contains(p.html, "[[leefwereld]] en [@baart2001]"));
  CHECK_FALSE(contains(p.html, "<a"));
}

TEST_CASE("wiki link label spanning a soft line break is still a link") {
  // Found in the real content (presentie.md: "[[acht-kenmerken-van-presentie|acht\nkenmerken]]"):
  // a label wrapped over two lines is neither linked nor reported; the raw "[[...|" leaks into the HTML.
  auto p = parse("Een folder vat het samen in [[acht-kenmerken|acht\nkenmerken]] van presentie.\n");
  bool linked = p.doc.links.size() == 1;
  bool reported = p.diags.has_errors();
  CHECK_MESSAGE((linked || reported), "a wiki link broken over two lines is silently dropped");
  CHECK_FALSE(contains(p.html, "[["));
}

TEST_CASE("citations: single, with locator, grouped") {
  auto p = parse("Zo [@baart2001], ook [@baart2001, p. 12] en [@a; @b-2, pp. 3-4].\n");
  CHECK(p.diags.items.empty());
  REQUIRE(p.doc.citations.size() == 4);
  CHECK(p.doc.citations[0].key == "baart2001");
  CHECK(p.doc.citations[0].locator == "");
  CHECK(p.doc.citations[1].key == "baart2001");
  CHECK(p.doc.citations[1].locator == "p. 12");
  CHECK(p.doc.citations[2].key == "a");
  CHECK(p.doc.citations[3].key == "b-2");
  CHECK(p.doc.citations[3].locator == "pp. 3-4");
  CHECK(p.doc.citations[0].line == 4);
  CHECK(p.doc.citations[0].column == 5);   // the '@'
  CHECK(p.doc.citations[1].column == 23);  // second occurrence, not the first again
  // One wrapper span per bracket, with "; " between the grouped citations.
  CHECK(contains(p.html, "<span class=\"citation\">("));
  CHECK(contains(p.html, "</a>; <a"));
  // Citation labels are not body text.
  CHECK_FALSE(contains(p.doc.plain_text, "baart2001"));
}

TEST_CASE("bracketed text that is not a citation stays text") {
  auto p = parse("Een [opmerking] en [@] en [zie @x] en e-mail info@example.org.\n");
  CHECK(p.doc.citations.empty());
  CHECK(contains(p.html, "[opmerking]"));
  CHECK(contains(p.html, "[@]"));
}

TEST_CASE("raw HTML is dropped with a warning") {
  auto p = parse("Tekst.\n\n<script>alert(1)</script>\n\nInline <b onclick=\"x()\">vet</b> hier.\n");
  CHECK_FALSE(contains(p.html, "<script"));
  CHECK_FALSE(contains(p.html, "onclick"));
  CHECK_FALSE(contains(p.html, "<b"));
  CHECK(contains(p.html, "vet"));
  CHECK_FALSE(p.diags.has_errors());
  // One warning per line, at the tag: "<b ...>" and "</b>" on line 8 are one mistake.
  REQUIRE(p.diags.count(Severity::warning) == 2);
  CHECK(p.messages[0] == "content/begrippen/x.md:6:1: warning: ruwe HTML wordt weggelaten; gebruik Markdown\n");
  CHECK(p.messages.back() == "content/begrippen/x.md:8:8: warning: ruwe HTML wordt weggelaten; gebruik Markdown\n");
}

TEST_CASE("raw HTML warnings point at the tag after multi-byte text, and at each line once") {
  auto p = parse("Café <i>één</i> en <u>twee</u>.\nNog <br> hier.\n");
  REQUIRE(p.diags.count(Severity::warning) == 2);
  CHECK(p.messages[0] == "content/begrippen/x.md:4:6: warning: ruwe HTML wordt weggelaten; gebruik Markdown\n");
  CHECK(p.messages[1] == "content/begrippen/x.md:5:5: warning: ruwe HTML wordt weggelaten; gebruik Markdown\n");
}

TEST_CASE("javascript: links are neutralised with an error") {
  auto p = parse("Klik [hier](javascript:alert(1)) of [daar](JAVASCRIPT:x).\n");
  CHECK_FALSE(contains(p.html, "javascript:"));
  CHECK_FALSE(contains(p.html, "JAVASCRIPT:"));
  REQUIRE(p.diags.count(Severity::error) == 2);
  CHECK(p.messages[0] ==
        "content/begrippen/x.md:4:13: error: onveilige link 'javascript:alert(1)' (alleen http, https, mailto of "
        "relatieve links)\n");
  CHECK(contains(p.html, ">hier</a>"));
}

TEST_CASE("safe links keep their URL") {
  auto p = parse("[a](https://example.org/x) [b](mailto:r@example.org) [c](../andere/)\n");
  CHECK(p.diags.items.empty());
  CHECK(contains(p.html, "href=\"https://example.org/x\""));
  CHECK(contains(p.html, "href=\"mailto:r@example.org\""));
  CHECK(contains(p.html, "href=\"../andere/\""));
}

TEST_CASE("image without alt text is an error, with alt text it is fine") {
  auto bad = parse("Voor ![](media/a.png) na.\n");
  REQUIRE(bad.messages.size() == 1);
  CHECK(bad.messages[0] ==
        "content/begrippen/x.md:4:6: error: afbeelding zonder alt-tekst: beschrijf de afbeelding tussen ![ en ]\n");
  REQUIRE(bad.doc.images.size() == 1);
  CHECK(bad.doc.images[0].url == "media/a.png");

  auto good = parse("![Een schema](media/a.png)\n");
  CHECK(good.diags.items.empty());
  CHECK(contains(good.html, "alt=\"Een schema\""));

  auto unsafe = parse("![x](javascript:alert(1))\n");
  CHECK(unsafe.diags.has_errors());
  CHECK_FALSE(contains(unsafe.html, "javascript:"));
}

TEST_CASE("language spans") {
  auto p = parse("Het Engelse [reflection-in-action]{lang=en} en Grieks [phronèsis]{lang=grc}.\n");
  CHECK(p.diags.items.empty());
  CHECK(contains(p.html, "<span lang=\"en\">reflection-in-action</span>"));
  CHECK(contains(p.html, "<span lang=\"grc\">phronèsis</span>"));
  CHECK_FALSE(contains(p.html, "{lang="));
  CHECK(contains(p.doc.plain_text, "reflection-in-action"));

  // An invalid language code is left as text, never injected into the attribute.
  auto bad = parse("[x]{lang=\"><script>}\n");
  CHECK_FALSE(contains(bad.html, "<script"));
  CHECK_FALSE(contains(bad.html, "lang=\"\""));
}

TEST_CASE("heading ids are slugs, unique, and recorded") {
  auto p = parse("## Herkomst\n\nx\n\n## Cliënt en zorg\n\n### Herkomst\n\n## !!!\n");
  REQUIRE(p.doc.headings.size() == 4);
  CHECK(p.doc.headings[0].id == "herkomst");
  CHECK(p.doc.headings[0].level == 2);
  CHECK(p.doc.headings[1].id == "client-en-zorg");
  CHECK(p.doc.headings[1].text == "Cliënt en zorg");
  CHECK(p.doc.headings[2].id == "herkomst-2");
  CHECK(p.doc.headings[2].level == 3);
  CHECK(p.doc.headings[3].id == "kop");
  // Whitespace inside the heading element is not significant.
  std::string html = std::regex_replace(p.html, std::regex("\\s*\n\\s*"), "");
  CAPTURE(p.html);
  CHECK(contains(html, "<h2 id=\"herkomst\">Herkomst</h2>"));
  CHECK(contains(html, "<h2 id=\"client-en-zorg\">Cliënt en zorg</h2>"));
  CHECK(contains(html, "<h3 id=\"herkomst-2\">Herkomst</h3>"));
  CHECK_FALSE(contains(p.html, "<h2>"));
}

TEST_CASE("text with ':@' does not crash (autolink extension is not attached)") {
  for (const char* body : {":@", ":@\n", "x:@y", "mailto:@", "a :@ b mailto:@ x:@y www.:@", ":@:@:@:@",
                           "[:@](:@)", "| a |\n|---|\n| :@ |\n", "http://:@", "https://"}) {
    CAPTURE(body);
    std::string html;
    CHECK_NOTHROW(html = markdown_to_html(body));
    CHECK_FALSE(html.empty());
  }
  CHECK(contains(markdown_to_html("x:@y"), "x:@y"));
}

TEST_CASE("bare https URLs become links, trailing punctuation excluded") {
  auto p = parse("Zie https://example.org/pad?q=1, of (http://example.net/x).\n");
  CHECK(contains(p.html, "<a href=\"https://example.org/pad?q=1\">https://example.org/pad?q=1</a>,"));
  CHECK(contains(p.html, "<a href=\"http://example.net/x\">http://example.net/x</a>)"));
  auto q = parse("Geen link: xhttps://example.org en `https://example.org/code`.\n");
  CHECK_FALSE(contains(q.html, "<a href=\"https://example.org\""));
  CHECK(contains(q.html, "<code>https://example.org/code</code>"));
}

TEST_CASE("plain_text: no space before punctuation where a citation was left out") {
  auto p = parse("Zoals Baart stelt [@baart2001], is presentie geen methode [@a; @b]. Ook [@c] zegt dat.\n");
  CHECK(contains(p.doc.plain_text, "Zoals Baart stelt, is presentie geen methode. Ook zegt dat."));
}

TEST_CASE("plain_text: paragraphs separated, no markup") {
  auto p = parse("# Kop\n\nEen *nadruk* en [[presentie|presentie]].\n\n- item een\n- item twee\n");
  CHECK(contains(p.doc.plain_text, "Kop\n\nEen nadruk en presentie."));
  CHECK(contains(p.doc.plain_text, "item een"));
  CHECK_FALSE(contains(p.doc.plain_text, "*"));
  CHECK_FALSE(contains(p.doc.plain_text, "[["));
}

TEST_CASE("format_diagnostic prints the source line and a caret under the column") {
  auto p = parse("Zie\t[[ ]].\n");
  REQUIRE(p.diags.items.size() == 1);
  std::string full = format_diagnostic(p.diags.items[0], DiagnosticFormat::text, true);
  CHECK(full ==
        "content/begrippen/x.md:4:5: error: lege verwijzing [[ ]]\n"
        "    4 | Zie\t[[ ]].\n"
        "      |    \t^\n");
  CHECK(format_diagnostic(p.diags.items[0], DiagnosticFormat::github) ==
        "::error file=content/begrippen/x.md,line=4,col=5::lege verwijzing [[ ]]\n");
  CHECK(format_diagnostic(p.diags.items[0], DiagnosticFormat::json) ==
        R"({"column":5,"file":"content/begrippen/x.md","line":4,"message":"lege verwijzing [[ ]]","severity":"error"})");
}

TEST_CASE("invalid UTF-8 and odd input do not crash the parser") {
  for (std::string body : {std::string("a\xFF\xFE b"), std::string(1000, '['), std::string("[[") + std::string(500, 'x'),
                           std::string("[@") + std::string(300, ';'), std::string("[x]{lang="), std::string("]]]]"),
                           std::string("[[a|b|c]]"), std::string("[[a#]]"), std::string(200, '`')}) {
    CHECK_NOTHROW(parse(body));
  }
}
