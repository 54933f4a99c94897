#include <doctest/doctest.h>

#include "content.h"
#include "diagnostics.h"
#include "frontmatter.h"

using namespace lexicon;

TEST_CASE("split_front_matter keeps file line numbers") {
  std::string text = "---\ntitle: Presentie\nsummary: Kort.\n---\nEerste regel.\n\nTweede alinea.\n";
  auto s = split_front_matter(text);
  REQUIRE(s.ok);
  CHECK(s.yaml == "title: Presentie\nsummary: Kort.\n");
  CHECK(s.yaml_first_line == 2);
  CHECK(s.body == "Eerste regel.\n\nTweede alinea.\n");
  CHECK(s.body_first_line == 5);
  CHECK(s.error.empty());
}

TEST_CASE("split_front_matter accepts '...' as closing fence and trailing spaces") {
  auto s = split_front_matter("---  \ntitle: X\n...\nBody");
  REQUIRE(s.ok);
  CHECK(s.yaml == "title: X\n");
  CHECK(s.body == "Body");
  CHECK(s.body_first_line == 4);
}

TEST_CASE("split_front_matter with empty front matter and no body") {
  auto s = split_front_matter("---\n---\n");
  REQUIRE(s.ok);
  CHECK(s.yaml == "");
  CHECK(s.body == "");
  CHECK(s.body_first_line == 3);

  auto t = split_front_matter("---\ntitle: X\n---");
  REQUIRE(t.ok);
  CHECK(t.body == "");
}

TEST_CASE("split_front_matter: '...' does not open front matter") {
  auto s = split_front_matter("...\ntitle: X\n---\n");
  CHECK_FALSE(s.ok);
  CHECK(s.error_line == 1);
}

TEST_CASE("split_front_matter errors") {
  SUBCASE("missing") {
    auto s = split_front_matter("title: X\n\nBody\n");
    CHECK_FALSE(s.ok);
    CHECK(s.error == "front matter ontbreekt: het bestand moet beginnen met een regel '---'");
    CHECK(s.error_line == 1);
  }
  SUBCASE("unterminated") {
    auto s = split_front_matter("---\ntitle: X\nsummary: Y\n\nBody zonder afsluiting\n");
    CHECK_FALSE(s.ok);
    CHECK(s.error == "front matter is niet afgesloten: voeg een regel '---' toe na de velden");
    CHECK(s.error_line == 1);
  }
  SUBCASE("fence must be the whole line") {
    auto s = split_front_matter("---\ntitle: X\n----\n");
    CHECK_FALSE(s.ok);
  }
  SUBCASE("empty file") {
    auto s = split_front_matter("");
    CHECK_FALSE(s.ok);
  }
}

TEST_CASE("normalise_newlines strips BOM and converts CRLF and CR") {
  CHECK(normalise_newlines("\xEF\xBB\xBF---\r\ntitle: X\r\n---\r\nBody\r\n") == "---\ntitle: X\n---\nBody\n");
  CHECK(normalise_newlines("a\rb\rc") == "a\nb\nc");
  CHECK(normalise_newlines("a\r\n\r\nb") == "a\n\nb");
  CHECK(normalise_newlines("plain\n") == "plain\n");
  CHECK(normalise_newlines("") == "");
  // A BOM that is not at the start is content, not a marker.
  CHECK(normalise_newlines("a\xEF\xBB\xBF") == "a\xEF\xBB\xBF");
}

TEST_CASE("CRLF + BOM file splits with the same line numbers as LF") {
  std::string crlf = "\xEF\xBB\xBF---\r\ntitle: X\r\n---\r\nregel 4\r\nregel 5\r\n";
  auto s = split_front_matter(normalise_newlines(crlf));
  REQUIRE(s.ok);
  CHECK(s.yaml == "title: X\n");
  CHECK(s.body_first_line == 4);
  CHECK(s.body == "regel 4\nregel 5\n");
}

TEST_CASE("parse_document reports an unterminated front matter as file:1:1") {
  Diagnostics diags;
  auto doc = parse_document("content/begrippen/x.md", "x", "---\ntitle: X\nBody\n", true, diags);
  REQUIRE(diags.items.size() == 1);
  CHECK(format_diagnostic(diags.items[0], DiagnosticFormat::text, false) ==
        "content/begrippen/x.md:1:1: error: front matter is niet afgesloten: voeg een regel '---' toe na de velden\n");
  CHECK(doc.title.empty());
}

TEST_CASE("parse_document reads fields and positions, CRLF and BOM included") {
  Diagnostics diags;
  std::string raw =
      "\xEF\xBB\xBF---\r\n"
      "title: Cliënt\r\n"
      "aliases:\r\n"
      "  - hulpvrager\r\n"
      "  - {term: client, lang: en}\r\n"
      "themes: [kern, praktijk]\r\n"
      "summary: >-\r\n"
      "  De persoon die hulp krijgt.\r\n"
      "sources: [baart2001]\r\n"
      "---\r\n"
      "Tekst.\r\n";
  auto doc = parse_document("content/begrippen/client.md", "client", raw, true, diags);
  CHECK(diags.items.empty());
  CHECK(doc.title == "Cliënt");
  CHECK(doc.summary == "De persoon die hulp krijgt.");
  REQUIRE(doc.aliases.size() == 2);
  CHECK(doc.aliases[0].text == "hulpvrager");
  CHECK(doc.aliases[0].lang == "");
  CHECK(doc.aliases[1].text == "client");
  CHECK(doc.aliases[1].lang == "en");
  CHECK(doc.themes == std::vector<std::string>{"kern", "praktijk"});
  CHECK(doc.sources == std::vector<std::string>{"baart2001"});
  CHECK(doc.body == "Tekst.\n");
  CHECK(doc.body_first_line == 11);
  CHECK(doc.field_positions["title"].line == 2);
  CHECK(doc.field_positions["title"].column == 1);
  CHECK(doc.field_positions["themes"].line == 6);
  REQUIRE(doc.item_positions["themes"].size() == 2);
  CHECK(doc.item_positions["themes"][1].line == 6);
  CHECK(doc.item_positions["themes"][1].column == 16);
  REQUIRE(doc.item_positions["aliases"].size() == 2);
  CHECK(doc.item_positions["aliases"][0].line == 4);
  CHECK(doc.item_positions["aliases"][0].column == 5);
}

TEST_CASE("parse_document: YAML errors and unknown fields carry file positions") {
  SUBCASE("unknown field with suggestion") {
    Diagnostics diags;
    parse_document("content/begrippen/x.md", "x", "---\ntitle: X\nsumary: Y\n---\nBody\n", true, diags);
    REQUIRE(diags.items.size() >= 1);
    CHECK(format_diagnostic(diags.items[0], DiagnosticFormat::text, false) ==
          "content/begrippen/x.md:3:1: warning: onbekend veld 'sumary'; bedoeld: 'summary'?\n");
  }
  SUBCASE("missing title") {
    Diagnostics diags;
    parse_document("content/begrippen/x.md", "x", "---\nsummary: Y\n---\nBody\n", true, diags);
    REQUIRE(diags.items.size() == 1);
    CHECK(format_diagnostic(diags.items[0], DiagnosticFormat::text, false) ==
          "content/begrippen/x.md:2:1: error: verplicht veld 'title' ontbreekt of is leeg\n");
  }
  SUBCASE("a refused title gets its own error only, not also 'missing'") {
    for (const char* title : {"\"a\\x01b\"", "[een, lijst]"}) {
      Diagnostics diags;
      parse_document("content/begrippen/x.md", "x", std::string("---\ntitle: ") + title + "\nsummary: Y\n---\nBody\n",
                     true, diags);
      CAPTURE(title);
      REQUIRE(diags.count(Severity::error) == 1);
      CHECK(diags.items[0].line == 2);
      CHECK(diags.items[0].message.find("ontbreekt") == std::string::npos);
    }
  }
  SUBCASE("empty summary is a warning for entries, fine for pages") {
    Diagnostics entry_diags, page_diags;
    parse_document("content/begrippen/x.md", "x", "---\ntitle: X\n---\nBody\n", true, entry_diags);
    parse_document("content/paginas/x.md", "x", "---\ntitle: X\n---\nBody\n", false, page_diags);
    CHECK(entry_diags.count(Severity::warning) == 1);
    CHECK(entry_diags.count(Severity::error) == 0);
    CHECK(page_diags.items.empty());
  }
  SUBCASE("broken YAML points into the file") {
    Diagnostics diags;
    parse_document("content/begrippen/x.md", "x", "---\ntitle: X\nthemes: [a, b\n---\nBody\n", true, diags);
    REQUIRE(diags.has_errors());
    CHECK(diags.items[0].line >= 3);
    CHECK(diags.items[0].message.rfind("YAML-fout: ", 0) == 0);
  }
  SUBCASE("invalid language code") {
    Diagnostics diags;
    parse_document("content/begrippen/x.md", "x",
                   "---\ntitle: X\nsummary: Y\naliases:\n  - {term: a, lang: \"e n!\"}\n---\nBody\n", true, diags);
    REQUIRE(diags.items.size() == 1);
    CHECK(diags.items[0].line == 5);
    CHECK(diags.items[0].message == "ongeldige taalcode 'e n!' (bijvoorbeeld: en, grc, la)");
  }
}

TEST_CASE("base_path_of") {
  CHECK(base_path_of("https://example.org/") == "/");
  CHECK(base_path_of("https://example.org") == "/");
  CHECK(base_path_of("https://example.org/lexicon/") == "/lexicon/");
  CHECK(base_path_of("https://example.org/lexicon") == "/lexicon/");
  CHECK(base_path_of("/lexicon/") == "/lexicon/");
  CHECK(base_path_of("lexicon") == "/lexicon/");
}
