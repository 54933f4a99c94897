// `lexicon new` and the editor-facing side of `lexicon check` (caret lines, suggestions).
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "build_helpers.h"
#include "content.h"
#include "scaffold.h"

using namespace testutil;

namespace {

std::string bin() { return shell_quote(LEXICON_BINARY); }
std::string templates() { return "--templates " + shell_quote(templates_dir().string()); }

lexicon::BuildReport check(const TempDir& tmp) {
  lexicon::BuildOptions o;
  o.content_dir = tmp / "content";
  o.site_dir = tmp / "site";
  o.templates_dir = templates_dir();
  o.jobs = 2;
  return lexicon::run_build(o, true);
}

}  // namespace

TEST_CASE("new: creates a complete entry that passes check, and never overwrites") {
  TempDir tmp("new");
  copy_tree(fixtures_dir() / "good" / "content", tmp / "content");
  auto made = lexicon::create_entry(tmp / "content", "Aandacht: de kern", "praktijk");
  REQUIRE_MESSAGE(made.exit_code == 0, made.message);
  CHECK(made.path == (tmp / "content").generic_string() + "/begrippen/aandacht-de-kern.md");
  std::string text = read_file(tmp / "content/begrippen/aandacht-de-kern.md");

  // Complete front matter, and the title survives YAML (the colon forces quoting).
  lexicon::Diagnostics d;
  auto doc = lexicon::parse_document("x.md", "aandacht-de-kern", text, true, d);
  CHECK(doc.title == "Aandacht: de kern");
  CHECK(doc.themes == std::vector<std::string>{"praktijk"});
  for (const char* field : {"title", "aliases", "themes", "summary", "related", "sources"}) {
    CHECK_MESSAGE(doc.field_positions.count(field) == 1, field);
  }
  auto report = check(tmp);
  INFO(all_diagnostics(report));
  CHECK(report.exit_code == 0);
  for (const auto& item : report.diagnostics.items) {
    if (item.path.ends_with("aandacht-de-kern.md")) CHECK(item.severity == lexicon::Severity::warning);
  }

  // A second time: refused, exit 1, file untouched.
  write_file(tmp / "content/begrippen/aandacht-de-kern.md", text + "\nEigen tekst.\n");
  auto again = lexicon::create_entry(tmp / "content", "Aandacht: de kern", "");
  CHECK(again.exit_code == 1);
  CHECK(contains(again.message, "bestaat al"));
  CHECK(read_file(tmp / "content/begrippen/aandacht-de-kern.md") == text + "\nEigen tekst.\n");
}

TEST_CASE("new: validates the theme and the title") {
  TempDir tmp("new-invalid");
  copy_tree(fixtures_dir() / "good" / "content", tmp / "content");
  auto bad_theme = lexicon::create_entry(tmp / "content", "Nabijheid", "praktyk");
  CHECK(bad_theme.exit_code == 2);
  CHECK(contains(bad_theme.message, "bedoeld: 'praktijk'?"));
  CHECK_FALSE(fs::exists(tmp / "content/begrippen/nabijheid.md"));
  CHECK(lexicon::create_entry(tmp / "content", "  ", "").exit_code == 2);
  CHECK(lexicon::create_entry(tmp / "content", "???", "").exit_code == 2);
  CHECK(lexicon::yaml_scalar("Presentie") == "Presentie");
  CHECK(lexicon::yaml_scalar("ja") == "ja");
  CHECK(lexicon::yaml_scalar("yes") == "\"yes\"");
  CHECK(lexicon::yaml_scalar("\"Citaat\"") == "\"\\\"Citaat\\\"\"");
}

TEST_CASE("new: the command prints the path and exits 1 when the file exists") {
  TempDir tmp("new-cli");
  copy_tree(fixtures_dir() / "good" / "content", tmp / "content");
  auto r = run(bin() + " new 'Trouw blijven' --theme kern", tmp.path(), tmp.path());
  CHECK(r.exit_code == 0);
  CHECK(r.out == "content/begrippen/trouw-blijven.md\n");
  auto again = run(bin() + " new 'Trouw blijven'", tmp.path(), tmp.path());
  CHECK(again.exit_code == 1);
  CHECK(contains(again.err, "content/begrippen/trouw-blijven.md bestaat al"));
  auto checked = run(bin() + " " + templates() + " check", tmp.path(), tmp.path());
  CHECK_MESSAGE(checked.exit_code == 0, checked.err);
}

TEST_CASE("check: a misspelled wiki link points at line:col with the source line, a caret and a suggestion") {
  TempDir tmp("check-caret");
  copy_tree(fixtures_dir() / "good" / "content", tmp / "content");
  write_file(tmp / "content/begrippen/nabijheid.md",
             "---\ntitle: Nabijheid\nsummary: Dichtbij zijn.\nthemas: [kern]\n---\nWie dichtbij is, ziet de\n"
             "ander. Zie [[presentei]] en [[leefwereld]].\n");
  auto r = run(bin() + " " + templates() + " check", tmp.path(), tmp.path());
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "content/begrippen/nabijheid.md:7:12: error: onbekende verwijzing [[presentei]]; bedoeld: [[presentie]]?\n"
                        "    7 | ander. Zie [[presentei]] en [[leefwereld]].\n"
                        "      |            ^\n"));
  // Unknown field: warning with the nearest known name and a caret.
  CHECK(contains(r.err, "content/begrippen/nabijheid.md:4:1: warning: onbekend veld 'themas'; bedoeld: 'themes'?\n"
                        "    4 | themas: [kern]\n"));

  auto gh = run(bin() + " " + templates() + " check --format=github", tmp.path(), tmp.path());
  CHECK(contains(gh.err, "::error file=content/begrippen/nabijheid.md,line=7,col=12::onbekende verwijzing"));
  auto js = run(bin() + " " + templates() + " check --format=json", tmp.path(), tmp.path());
  auto list = nlohmann::json::parse(js.err);
  bool found = false;
  for (const auto& item : list) found = found || (item["line"] == 7 && item["column"] == 12 && item["severity"] == "error");
  CHECK(found);
}

TEST_CASE("check: diagnostics without a stored source line still get one (invalid UTF-8, lexicon.yaml)") {
  TempDir tmp("check-source");
  copy_tree(fixtures_dir() / "good" / "content", tmp / "content");
  write_file(tmp / "content/begrippen/kapot.md", "---\ntitle: Kapot\n---\nTekst met \xff erin.\n");
  write_file(tmp / "content/lexicon.yaml", "subtitle: zonder titel\nbase_url: https://example.org/\n");
  auto report = check(tmp);
  std::string text = all_diagnostics(report);
  CHECK(contains(text, "kapot.md:4:11: error: ongeldige UTF-8 in het bestand\n    4 | Tekst met \xEF\xBF\xBD erin.\n      |           ^\n"));
  CHECK(contains(text, "lexicon.yaml:1:1: error: verplicht veld 'title' ontbreekt\n    1 | subtitle: zonder titel\n"));
}

TEST_CASE("check: unterminated front matter is reported on line 1") {
  TempDir tmp("check-unterminated");
  copy_tree(fixtures_dir() / "good" / "content", tmp / "content");
  write_file(tmp / "content/begrippen/open.md", "---\ntitle: Open\nsummary: nooit gesloten\n\nTekst.\n");
  auto text = all_diagnostics(check(tmp));
  CHECK(contains(text, "open.md:1:1: error: front matter is niet afgesloten"));
}
