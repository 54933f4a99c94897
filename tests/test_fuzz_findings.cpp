// Bugs found by the fuzz targets (tests/fuzz/), each as a readable test of the behaviour an editor
// sees. The raw inputs that found them are also replayed by CTest from tests/fuzz/regressions/.
#include <doctest/doctest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "build_helpers.h"
#include "content.h"
#include "diagnostics.h"
#include "markdown.h"
#include "search.h"
#include "text.h"

using namespace lexicon;
using testutil::contains;

namespace {
bool valid_utf8(const std::string& s) { return find_invalid_utf8(s) == std::string::npos; }
}  // namespace

TEST_CASE("fuzz: a YAML error quoting half a character stays valid UTF-8 and printable as JSON") {
  // yaml-cpp says "unknown escape character: " followed by the first byte of 'é' only.
  Diagnostics d;
  parse_document("content/begrippen/x.md", "x", "---\ntitle: \"a\\é\"\n---\nTekst.\n", true, d);
  REQUIRE(d.items.size() >= 1);
  CHECK(contains(d.items[0].message, "YAML-fout"));
  for (const auto& item : d.items) CHECK(valid_utf8(item.message));
  auto json = nlohmann::json::parse(format_all(d, DiagnosticFormat::json), nullptr, false);
  CHECK(json.is_array());
  CHECK(to_valid_utf8("a\xC3") == "a\xEF\xBF\xBD");
  CHECK(to_valid_utf8("zo\xC3\xAB\xFF!") == "zo\xC3\xAB\xEF\xBF\xBD!");
  CHECK(to_valid_utf8("gewoon") == "gewoon");
}

TEST_CASE("fuzz: citations and language spans in a table cell keep their text") {
  // A GFM table cell refuses custom inline nodes; the citation and the span used to vanish
  // from the page (and leak).
  Diagnostics d;
  std::string body = "| bron | term |\n|---|---|\n| zie [@baart2001, p. 3] | [presence]{lang=en} |\n";
  auto doc = parse_markdown(body, "content/begrippen/x.md", body, 1, d);
  REQUIRE(doc.citations.size() == 1);
  CHECK(doc.citations[0].key == "baart2001");
  CHECK(doc.citations[0].locator == "p. 3");
  set_link_text(doc.citations[0].node, "Baart, 2001, p. 3");
  set_link_target(doc.citations[0].node, "#bron-baart2001", "Een theorie van de presentie");
  std::string html = render_html(doc);
  CHECK(contains(html, "<td>zie (<a href=\"#bron-baart2001\" title=\"Een theorie van de presentie\">Baart, 2001, p. 3</a>)</td>"));
  CHECK(contains(html, "<td>presence</td>"));
  // Outside tables they keep their wrappers.
  std::string para = "Zie [@baart2001] en [presence]{lang=en}.\n";
  auto p = parse_markdown(para, "content/begrippen/x.md", para, 1, d);
  std::string phtml = render_html(p);
  CHECK(contains(phtml, "<span class=\"citation\">("));
  CHECK(contains(phtml, "<span lang=\"en\">presence</span>"));
}

TEST_CASE("fuzz: a footnote reference over a line break gives a warning, never invalid UTF-8") {
  // cmark-gfm measures the label of "[^...]" in columns; over a line break it cuts text, here in
  // the middle of U+FFFD, which made the indexer's JSON throw and `lexicon build` exit 2.
  Diagnostics d;
  std::string body = "[^\n\xEF\xBF\xBD~]\n\nMeer tekst.\n";
  auto doc = parse_markdown(body, "content/begrippen/x.md", body, 1, d);
  CHECK(valid_utf8(doc.plain_text));
  CHECK(valid_utf8(render_html(doc)));
  REQUIRE(d.items.size() == 1);
  CHECK(d.items[0].severity == Severity::warning);
  CHECK(d.items[0].line == 1);
  CHECK(d.items[0].column == 1);
  CHECK(contains(d.items[0].message, "voetnootverwijzing"));

  // The whole build: exit 0 with the warning, instead of a JSON exception.
  testutil::TempDir tmp("fuzz-footnote");
  testutil::copy_tree(testutil::fixtures_dir() / "good" / "content", tmp / "content");
  testutil::write_file(tmp / "content/begrippen/voetnoot.md",
                       "---\ntitle: Voetnoot\nsummary: Een afgebroken voetnootverwijzing.\n---\n"
                       "[^\n\xEF\xBF\xBD~]\n\nZie [[presentie]].\n");
  auto report = testutil::build_copy(tmp, "good", "site", false);
  CHECK(report.exit_code == 0);
  CHECK(contains(testutil::all_diagnostics(report), "voetnoot.md:5:1: warning: voetnootverwijzing"));
}

TEST_CASE("fuzz: footnotes that are defined still work") {
  Diagnostics d;
  std::string body = "Tekst[^1] en meer.\n\n[^1]: De voetnoot.\n";
  auto doc = parse_markdown(body, "content/begrippen/x.md", body, 1, d);
  CHECK(d.items.empty());
  std::string html = render_html(doc);
  CHECK(contains(html, "data-footnote-ref"));
  CHECK(contains(html, "De voetnoot."));
}

TEST_CASE("fuzz: folding is idempotent, also for the unassigned Greek capital U+03A2") {
  // U+03A2 + 0x20 is the final sigma, which folds on to σ: fold(fold(x)) differed from fold(x).
  for (const char* s : {"D\xCE\xAA\xCE\xA2", "\xCE\xA3\xCE\xA9", "Cli\xC3\xABnt", "\xCF\x82"}) {
    CAPTURE(s);
    CHECK(fold(fold(s)) == fold(s));
  }
  CHECK(fold("\xCE\xA3\xCE\xA9") == "\xCF\x83\xCF\x89");  // ΣΩ -> σω
  CHECK(fold("\xCE\xA2") == "\xCE\xA2");
}

TEST_CASE("fuzz: YAML escapes cannot put control characters into a field") {
  // "\x00" in a quoted YAML string became a NUL in the page title (an HTML parse error).
  for (const char* escape : {"\\x00", "\\a", "\\x1b", "\\x7f"}) {
    CAPTURE(escape);
    Diagnostics d;
    std::string file = std::string("---\ntitle: \"Titel") + escape + "\"\nsummary: Kort.\n---\nTekst.\n";
    Document doc = parse_document("content/begrippen/x.md", "x", file, true, d);
    bool reported = false;
    for (const auto& item : d.items) {
      if (item.severity == Severity::error && contains(item.message, "stuurteken") && item.line == 2 && item.column == 8) reported = true;
    }
    CHECK(reported);
    for (char c : doc.title) CHECK((static_cast<unsigned char>(c) >= 0x20 && c != 0x7F));
  }
  // Tabs and line breaks (a folded or literal summary) stay allowed, and so does ÿ written as an escape.
  Diagnostics ok;
  parse_document("content/begrippen/x.md", "x", "---\ntitle: \"Caf\\xe9\"\nsummary: |\n  Twee\n  regels.\n---\nTekst.\n", true, ok);
  CHECK_FALSE(ok.has_errors());
}

TEST_CASE("fuzz: a link whose destination holds control characters is refused with an error") {
  // "[x](\b\bmailto:x)" passed the URL check with its control characters left out, then came out as
  // href="%08%08mailto:x": not what the check had approved.
  Diagnostics d;
  std::string body = "Zie [hier](\b\bmailto:redactie@example.org) en [daar](https://example.org/).\n";
  MarkdownDoc doc = parse_markdown(body, "content/begrippen/x.md", body, 1, d);
  REQUIRE(d.items.size() == 1);
  CHECK(contains(d.items[0].message, "onveilige link"));
  std::string html = render_html(doc);
  CHECK_FALSE(contains(html, "%08"));
  CHECK_FALSE(contains(html, "mailto"));
  CHECK(contains(html, "href=\"https://example.org/\""));
}

TEST_CASE("limit_per_file keeps the first 50 of a file's diagnostics and sums up the rest, an error if any was") {
  Diagnostics d;
  for (int i = 1; i <= 60; ++i) d.warning("a.md", i, 1, "waarschuwing " + std::to_string(i));
  for (int i = 61; i <= 65; ++i) d.error("a.md", i, 1, "fout " + std::to_string(i));
  for (int i = 1; i <= 3; ++i) d.error("b.md", i, 1, "fout in b");
  sort_diagnostics(d);
  limit_per_file(d);
  REQUIRE(d.items.size() == 50 + 1 + 3);
  CHECK(d.items[49].message == "waarschuwing 50");
  CHECK(d.items[50].path == "a.md");
  CHECK(d.items[50].severity == Severity::error);  // the dropped errors still fail the build
  CHECK(d.items[50].message == "nog 15 meldingen in dit bestand weggelaten (5 fout(en), 10 waarschuwing(en)); "
                               "los eerst de bovenstaande op");
  CHECK(d.items[51].path == "b.md");
  CHECK(d.has_errors());

  Diagnostics few;
  few.warning("c.md", 1, 1, "alleen");
  limit_per_file(few);
  CHECK(few.items.size() == 1);
}

TEST_CASE("a long source line is shown as a window around the column, with the caret under it") {
  std::string line(1000, 'a');
  line[499] = 'X';  // column 500
  line[0] = '\t';
  Diagnostic d{"a.md", 4, 500, Severity::error, "hier", line};
  std::string text = format_diagnostic(d, DiagnosticFormat::text);
  auto first_nl = text.find('\n');
  auto second_nl = text.find('\n', first_nl + 1);
  std::string shown = text.substr(first_nl + 1, second_nl - first_nl - 1);
  std::string caret = text.substr(second_nl + 1);
  CHECK(shown.starts_with("    4 | …"));
  CHECK(shown.ends_with("…"));
  CHECK(count_code_points(shown) < 180);
  // The caret's code point position equals X's in the shown line.
  CHECK(count_code_points(caret.substr(0, caret.find('^'))) ==
        count_code_points(shown.substr(0, shown.find('X'))));

  // A short line with a tab keeps it whole, and the tab in the padding.
  Diagnostic short_line{"a.md", 2, 3, Severity::warning, "kort", "\tab"};
  CHECK(format_diagnostic(short_line, DiagnosticFormat::text) == "a.md:2:3: warning: kort\n    2 | \tab\n      | \t ^\n");
}

TEST_CASE("fuzz: the snippet of a text without words ends between characters") {
  // Nothing here is a word (punctuation and emoji), so the snippet is the text's start, up to 300 bytes:
  // byte 300 falls inside the 75th emoji, which used to be cut in half.
  std::string text = "!";
  for (int i = 0; i < 100; ++i) text += "\U0001F642";
  std::string snippet = make_snippet_html(text, {"zorg"});
  CHECK(valid_utf8(snippet));
  CHECK(snippet == "!" + [] { std::string s; for (int i = 0; i < 74; ++i) s += "\U0001F642"; return s; }() + " …");
  CHECK_NOTHROW((void)nlohmann::json(snippet).dump());
  // A short one is whole, without the ellipsis.
  CHECK(make_snippet_html("!! \U0001F642", {"zorg"}) == "!! \U0001F642");
}
