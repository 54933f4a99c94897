// Runs the built `lexicon` binary: exit codes 0 (ok), 1 (content errors), 2 (usage/system errors).
#include <doctest/doctest.h>

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "build_helpers.h"

using namespace testutil;

namespace {

std::string bin() { return shell_quote(LEXICON_BINARY); }
std::string templates() { return "--templates " + shell_quote(templates_dir().string()); }

// The real content built into a temp site, once per test process.
const TempDir& real_site() {
  static std::unique_ptr<TempDir> tmp;
  if (!tmp) {
    tmp = std::make_unique<TempDir>("cli-real");
    auto r = run(bin() + " --content " + shell_quote((source_dir() / "content").string()) + " --site site " + templates() +
                     " -j 2 build",
                 tmp->path(), tmp->path());
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  }
  return *tmp;
}

}  // namespace

TEST_CASE("cli: usage errors exit 2") {
  TempDir tmp("cli-usage");
  for (const char* args : {"", "bogus", "build --bogus", "check --format xml", "search", "--jobs x build",
                           "search presentie --limit abc"}) {
    CAPTURE(args);
    auto r = run(bin() + " " + args, tmp.path(), tmp.path());
    CHECK(r.exit_code == 2);
  }
  auto help = run(bin() + " --help", tmp.path(), tmp.path());
  CHECK(help.exit_code == 0);
  CHECK(contains(help.out, "build"));
}

TEST_CASE("cli: broken content exits 1 with file:line:col diagnostics and writes nothing") {
  TempDir tmp("cli-broken");
  copy_tree(fixtures_dir() / "broken/content", tmp / "content");
  auto r = run(bin() + " --content content --site site " + templates() + " build", tmp.path(), tmp.path());
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "content/begrippen/a.md:5:33: error: onbekende verwijzing [[bestaat-niet]]\n"));
  CHECK(contains(r.err, "    5 | Dit verwijst naar [[b]] en naar [[bestaat-niet]].\n"));
  CHECK(contains(r.err, "1 fout(en), 0 waarschuwing(en)\n"));
  CHECK_FALSE(fs::exists(tmp / "site"));

  auto check = run(bin() + " --content content " + templates() + " check", tmp.path(), tmp.path());
  CHECK(check.exit_code == 1);
  auto github = run(bin() + " --content content " + templates() + " check --format github", tmp.path(), tmp.path());
  CHECK(github.exit_code == 1);
  CHECK(contains(github.err, "::error file=content/begrippen/a.md,line=5,col=33::onbekende verwijzing [[bestaat-niet]]\n"));
  auto json = run(bin() + " --content content " + templates() + " check --format json", tmp.path(), tmp.path());
  CHECK(json.exit_code == 1);
  auto parsed = nlohmann::json::parse(json.err, nullptr, false);
  REQUIRE_FALSE(parsed.is_discarded());
  REQUIRE(parsed.is_array());
  REQUIRE(parsed.size() == 1);
  CHECK(parsed[0]["file"] == "content/begrippen/a.md");
  CHECK(parsed[0]["line"] == 5);
  CHECK(parsed[0]["column"] == 33);
  CHECK(parsed[0]["severity"] == "error");
}

TEST_CASE("cli: good fixture builds with exit 0, --strict fails on warnings") {
  TempDir tmp("cli-good");
  copy_tree(fixtures_dir() / "good/content", tmp / "content");
  auto r = run(bin() + " --content content --site out " + templates() + " build", tmp.path(), tmp.path());
  CHECK_MESSAGE(r.exit_code == 0, r.err);
  CHECK(contains(r.err, "lexicon: 6 begrippen"));
  CHECK(fs::is_regular_file(tmp / "out/index.html"));
  write_file(tmp / "content/begrippen/wees.md", "---\ntitle: Wees\nsummary: Iets.\n---\nNaar [[presentie]].\n");
  CHECK(run(bin() + " --content content " + templates() + " check", tmp.path(), tmp.path()).exit_code == 0);
  auto strict = run(bin() + " --content content " + templates() + " check --strict", tmp.path(), tmp.path());
  CHECK(strict.exit_code == 1);
  CHECK(contains(strict.err, "content/begrippen/wees.md: warning: wees: geen enkel ander begrip verwijst hiernaar\n"));
}

TEST_CASE("cli: search without an index exits 2") {
  TempDir tmp("cli-noindex");
  auto r = run(bin() + " --site nergens search presentie", tmp.path(), tmp.path());
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "lexicon: error: "));
}

TEST_CASE("cli: the real site builds, search lists Presentie first, every internal link resolves") {
  const auto& tmp = real_site();
  auto r = run(bin() + " --site site search presentie --json", tmp.path(), tmp.path());
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  REQUIRE_FALSE(j.is_discarded());
  REQUIRE(j["hits"].is_array());
  REQUIRE_FALSE(j["hits"].empty());
  CHECK(j["hits"][0]["title"] == "Presentie");
  CHECK(j["hits"][0]["url"] == "/begrippen/presentie/");
  CHECK(j["total"].get<int>() > 10);

  auto text = run(bin() + " --site site search zorgmijding --limit 3", tmp.path(), tmp.path());
  CHECK(text.exit_code == 0);
  CHECK(contains(text.out, " 1. "));
  CHECK(contains(text.out, "resultaten\n"));

  auto themed = run(bin() + " --site site search presentie --json --type bron", tmp.path(), tmp.path());
  auto tj = nlohmann::json::parse(themed.out, nullptr, false);
  REQUIRE_FALSE(tj.is_discarded());
  for (const auto& h : tj["hits"]) CHECK(h["type"] == "bron");

  // One build of the real content serves both checks (it is the slowest step of the suite).
  std::size_t checked = 0;
  auto problems = walk_links(tmp / "site", "https://lexicon.example.org/", "/", &checked);
  CHECK_MESSAGE(problems.empty(), describe(problems));
  CHECK(checked > 1000);
}

TEST_CASE("cli: a one-line list of 20,000 empty items gives at most 50 diagnostics and short lines, not 600 MB") {
  // Found by the frontmatter fuzzer (a slow unit): every empty item is a diagnostic quoting the whole line,
  // so the output grew with the square of the line's length.
  TempDir tmp("cli-many");
  copy_tree(fixtures_dir() / "good/content", tmp / "content");
  write_file(tmp / "content/begrippen/lijst.md",
             "---\ntitle: Lange lijst\nsummary: Een lijst.\nrelated: [" + std::string(20000, ',') + "]\n---\nTekst.\n");
  auto r = run(bin() + " --content content " + templates() + " check", tmp.path(), tmp.path());
  CHECK(r.exit_code == 1);
  CHECK(r.err.size() < 50000);
  CHECK(contains(r.err, "content/begrippen/lijst.md:4:11: error: 'related' moet tekst zijn\n"));
  // yaml-cpp decides how many empty items 20,000 commas make; about 20,000 of them are left out.
  CHECK(contains(r.err, "content/begrippen/lijst.md: error: nog 199"));
  CHECK(contains(r.err, " meldingen in dit bestand weggelaten (199"));
  // The quoted line is a window around the column, marked where it was cut.
  CHECK(contains(r.err, "    4 | related: [,,,"));
  CHECK(contains(r.err, ",,…\n"));
  auto json = nlohmann::json::parse(run(bin() + " --content content " + templates() + " check --format json", tmp.path(),
                                        tmp.path()).err, nullptr, false);
  REQUIRE(json.is_array());
  std::size_t in_file = 0;
  for (const auto& d : json) in_file += d["file"] == "content/begrippen/lijst.md";
  CHECK(in_file == 51);
}
