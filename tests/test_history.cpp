// Git history on pages: a temporary repository (git CLI) with commits, a rename and a removal.
#include <doctest/doctest.h>

#include <regex>

#include "build_helpers.h"
#include "history.h"
#include "history_cache.h"

using namespace testutil;

namespace {

// Runs git in `dir` with fixed identity and dates, so histories are reproducible.
void git(const TempDir& tmp, const std::string& args, const std::string& author = "Anna de Vries",
         const std::string& date = "2024-01-10T10:00:00+01:00") {
  std::string env = "GIT_AUTHOR_NAME=" + shell_quote(author) + " GIT_AUTHOR_EMAIL=redactie@example.org" +
                    " GIT_COMMITTER_NAME=" + shell_quote(author) + " GIT_COMMITTER_EMAIL=redactie@example.org" +
                    " GIT_AUTHOR_DATE=" + shell_quote(date) + " GIT_COMMITTER_DATE=" + shell_quote(date) +
                    " GIT_CONFIG_NOSYSTEM=1 HOME=" + shell_quote(tmp.path().string());
  auto r = run(env + " git -c commit.gpgsign=false -c init.defaultBranch=main " + args, tmp.path(), tmp.path());
  INFO(args << "\n" << r.out << r.err);
  REQUIRE(r.exit_code == 0);
}

void append(const fs::path& file, const std::string& text) { write_file(file, read_file(file) + text); }

lexicon::BuildReport build_site(const TempDir& tmp, const std::string& site) {
  lexicon::BuildOptions o;
  o.content_dir = tmp / "content";
  o.site_dir = tmp / site;
  o.templates_dir = templates_dir();
  o.jobs = 2;
  auto report = lexicon::run_build(o, false);
  INFO(all_diagnostics(report));
  REQUIRE(report.exit_code == 0);
  return report;
}

const char* removed_entry = R"(---
title: Oud begrip
themes: [kern]
summary: Een begrip dat later uit het lexicon verdwijnt.
related: [presentie, leefwereld]
---
Dit verwijst naar [[presentie]].
)";

// content/ in a fresh repository: five commits, including a rename and a removal.
void make_repository(const TempDir& tmp) {
  copy_tree(fixtures_dir() / "good" / "content", tmp / "content");
  write_file(tmp / "content/begrippen/oud-begrip.md", removed_entry);
  git(tmp, "init -q");
  git(tmp, "add -A");
  git(tmp, "commit -q -m 'Eerste versie van het lexicon'", "Anna de Vries", "2024-01-10T10:00:00+01:00");
  append(tmp / "content/begrippen/presentie.md", "\nEen extra alinea over presentie.\n");
  git(tmp, "commit -q -am 'Presentie aangevuld'", "Bram Jansen", "2024-02-05T09:30:00+01:00");
  git(tmp, "mv content/begrippen/de-klik.md content/begrippen/klik.md");
  git(tmp, "commit -q -m 'De klik hernoemd'", "Anna de Vries", "2024-03-01T12:00:00+01:00");
  git(tmp, "rm -q content/begrippen/oud-begrip.md");
  git(tmp, "commit -q -m 'Oud begrip verwijderd'", "Cor Bakker", "2024-04-02T16:45:00+02:00");
}

}  // namespace

TEST_CASE("history: dates, authors and subjects per entry, following renames") {
  TempDir tmp("history");
  make_repository(tmp);
  auto h = lexicon::load_history(tmp / "content", {"presentie", "klik", "client", "leefwereld", "stil-zijn"});
  REQUIRE(h.available);
  const auto* presentie = h.find("presentie");
  REQUIRE(presentie != nullptr);
  REQUIRE(presentie->revisions.size() == 2);
  CHECK(h.commits[presentie->revisions[0]].subject == "Presentie aangevuld");
  CHECK(h.commits[presentie->revisions[0]].author == "Bram Jansen");
  CHECK(lexicon::iso_date(h.commits[presentie->revisions[0]]) == "2024-02-05");
  CHECK(lexicon::iso_date(h.commits[presentie->revisions[1]]) == "2024-01-10");
  CHECK_FALSE(presentie->local_changes);

  const auto* klik = h.find("klik");
  REQUIRE(klik != nullptr);
  REQUIRE(klik->revisions.size() == 2);  // the rename and, through it, the first commit
  CHECK(h.commits[klik->revisions[0]].subject == "De klik hernoemd");
  CHECK(h.commits[klik->revisions[1]].subject == "Eerste versie van het lexicon");
  CHECK(h.renamed.at("de-klik") == "klik");

  REQUIRE(h.removed.size() == 1);
  CHECK(h.removed[0].slug == "oud-begrip");
  CHECK(h.removed[0].title == "Oud begrip");
  CHECK(h.removed[0].related == std::vector<std::string>{"presentie", "leefwereld"});
  CHECK(h.commits[h.removed[0].removed_in].subject == "Oud begrip verwijderd");
  CHECK(lexicon::rfc3339(h.commits[h.removed[0].removed_in]) == "2024-04-02T16:45:00+02:00");
  CHECK(lexicon::dutch_date(h.commits[h.removed[0].removed_in]) == "2 april 2024");

  // Newest change first.
  REQUIRE(h.changes.size() >= 3);
  CHECK(h.changes[0].kind == lexicon::Change::removed);
  CHECK(h.changes[1].kind == lexicon::Change::renamed);
  CHECK(h.changes[1].old_slug == "de-klik");
}

TEST_CASE("history on pages: history, citation, redirects, removed page, recent, feed") {
  TempDir tmp("history-site");
  make_repository(tmp);
  build_site(tmp, "site");
  std::string presentie = read_file(tmp / "site/begrippen/presentie/index.html");
  CHECK(contains(presentie, "Eerst gepubliceerd op <time datetime=\"2024-01-10\">10 januari 2024</time>"));
  CHECK(contains(presentie, "laatst gewijzigd op <time datetime=\"2024-02-05\">5 februari 2024</time>"));
  CHECK(contains(presentie, "Bram Jansen · Presentie aangevuld"));
  CHECK_FALSE(contains(presentie, "Lokale wijzigingen"));

  std::string klik = read_file(tmp / "site/begrippen/klik/index.html");
  CHECK(contains(klik, "De klik hernoemd"));
  CHECK(contains(klik, "Eerste versie van het lexicon"));

  // The entry's own last commit names the citation, not HEAD (the removal on 2 April).
  std::string client = read_file(tmp / "site/begrippen/client/index.html");
  CHECK(contains(client, "Redactie Test. (2024, 10 januari). Cliënt (versie "));
  CHECK(contains(client, "month        = jan,"));
  CHECK(contains(client, "https://example.org/begrippen/client/"));
  CHECK_FALSE(contains(client, "2 april 2024"));

  // Old URL of the renamed entry redirects to the new one.
  std::string old_klik = read_file(tmp / "site/begrippen/de-klik/index.html");
  CHECK(contains(old_klik, "url=/begrippen/klik/"));

  // The removed entry leaves a page pointing to its related entries.
  std::string removed = read_file(tmp / "site/begrippen/oud-begrip/index.html");
  CHECK(contains(removed, "Dit begrip is verwijderd"));
  CHECK(contains(removed, "href=\"/begrippen/presentie/\""));
  CHECK(contains(removed, "href=\"/begrippen/leefwereld/\""));
  CHECK(contains(removed, "2 april 2024"));

  std::string recent = read_file(tmp / "site/recent/index.html");
  CHECK(contains(recent, "Oud begrip verwijderd"));
  CHECK(contains(recent, "hernoemd (was: de-klik)"));

  std::string feed = read_file(tmp / "site/feed.xml");
  CHECK(feed.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\""));
  CHECK(contains(feed, "<updated>2024-03-01T12:00:00+01:00</updated>"));  // newest change to a current entry
  // Entries newest first, every date RFC 3339.
  std::regex updated_re("<entry>[\\s\\S]*?<updated>([^<]+)</updated>");
  std::vector<std::string> dates;
  for (std::sregex_iterator it(feed.begin(), feed.end(), updated_re), end; it != end; ++it) dates.push_back((*it)[1]);
  REQUIRE(dates.size() >= 3);
  CHECK(std::is_sorted(dates.rbegin(), dates.rend()));
  CHECK(contains(feed, "<title>De klik</title>"));
  CHECK_FALSE(contains(feed, "Oud begrip"));  // removed entries are not in the feed of entries

  // Every internal link of the site resolves, including the new pages.
  auto problems = walk_links(tmp / "site", "https://example.org/", "/");
  for (const auto& p : problems) FAIL_CHECK(p.page << " -> " << p.link << ": " << p.why);

  // Same commit, same bytes.
  build_site(tmp, "site2");
  CHECK(snapshot(tmp / "site", {".xapian"}) == snapshot(tmp / "site2", {".xapian"}));
}

TEST_CASE("history: an unrelated commit changes no other entry page") {
  TempDir tmp("history-unrelated");
  make_repository(tmp);
  build_site(tmp, "before");
  append(tmp / "content/begrippen/leefwereld.md", "\nNog een zin zonder verwijzingen.\n");
  git(tmp, "commit -q -am 'Leefwereld bijgewerkt'", "Dirk Smit", "2024-05-03T11:00:00+02:00");
  build_site(tmp, "after");
  // The caches are no output either: they hold the edited entry's new parse and words, and the new commit.
  auto before = snapshot(tmp / "before", {".xapian", "parse-cache", "term-cache", "history-cache"});
  auto after = snapshot(tmp / "after", {".xapian", "parse-cache", "term-cache", "history-cache"});
  REQUIRE(before.size() == after.size());
  std::vector<std::string> changed;
  for (const auto& [path, bytes] : after) {
    if (before.at(path) != bytes) changed.push_back(path);
  }
  CHECK(changed == std::vector<std::string>{"begrippen/leefwereld/index.html", "feed.xml", "recent/index.html"});
  CHECK(contains(after.at("begrippen/leefwereld/index.html"), "(2024, 3 mei). Leefwereld (versie "));
  CHECK(contains(after.at("feed.xml"), "<updated>2024-05-03T11:00:00+02:00</updated>"));
}

TEST_CASE("history: uncommitted and new entries say so, and outside git the build works") {
  TempDir tmp("history-local");
  make_repository(tmp);
  append(tmp / "content/begrippen/client.md", "\nNog niet vastgelegd.\n");
  write_file(tmp / "content/begrippen/nieuw-begrip.md",
             "---\ntitle: Nieuw begrip\nsummary: Nog niet vastgelegd.\n---\nZie [[presentie]].\n");
  build_site(tmp, "site");
  std::string client = read_file(tmp / "site/begrippen/client/index.html");
  CHECK(contains(client, "Lokale wijzigingen, nog niet vastgelegd."));
  CHECK(contains(client, "10 januari 2024"));  // the committed history is still shown
  std::string fresh = read_file(tmp / "site/begrippen/nieuw-begrip/index.html");
  CHECK(contains(fresh, "Nog niet gepubliceerd: dit lemma is nog niet vastgelegd in git."));
  CHECK(contains(fresh, "(z.d.). Nieuw begrip. In"));
  CHECK(contains(fresh, "Nog niet gepubliceerd},"));  // BibTeX note

  TempDir plain("history-nogit");
  copy_tree(fixtures_dir() / "good" / "content", plain / "content");
  build_site(plain, "site");
  std::string page = read_file(plain / "site/begrippen/presentie/index.html");
  CHECK(contains(page, "Nog niet gepubliceerd (geen git-geschiedenis beschikbaar)."));
  CHECK(contains(read_file(plain / "site/recent/index.html"), "geen git-geschiedenis"));
  CHECK(contains(read_file(plain / "site/feed.xml"), "<updated>1970-01-01T00:00:00Z</updated>"));
}

TEST_CASE("history cache: a known history is reused, with the status of changed files asked again") {
  TempDir tmp("history-known");
  make_repository(tmp);
  const std::vector<std::string> slugs{"presentie", "klik", "client", "leefwereld", "stil-zijn"};
  const lexicon::ContentHistory first = lexicon::load_history(tmp / "content", slugs);
  REQUIRE(first.available);
  auto bytes = [](const lexicon::ContentHistory& h) { return lexicon::serialise_history_cache(h, "binary 1"); };

  // Reused as it is: a doctored subject shows that nothing was read again.
  lexicon::KnownHistory doctored{first, {}};
  doctored.history.commits[0].subject = "Uit de cache";
  CHECK(lexicon::load_history(tmp / "content", slugs, &doctored).commits[0].subject == "Uit de cache");
  // Not for other slugs: then everything is read again.
  lexicon::KnownHistory other{first, {}};
  other.history.commits[0].subject = "Uit de cache";
  auto more = slugs;
  more.push_back("de-klik");
  CHECK(lexicon::load_history(tmp / "content", more, &other).commits[0].subject == first.commits[0].subject);

  // An uncommitted edit: the known history with that file's status asked again equals reading it all.
  append(tmp / "content/begrippen/presentie.md", "\nNog niet vastgelegd.\n");
  lexicon::KnownHistory edited{first, {"presentie"}};
  lexicon::ContentHistory after_edit = lexicon::load_history(tmp / "content", slugs, &edited);
  CHECK(after_edit.find("presentie")->local_changes);
  CHECK(bytes(after_edit) == bytes(lexicon::load_history(tmp / "content", slugs)));
  // Without naming the file, the stale status stays: the caller must name every changed file.
  lexicon::KnownHistory unnamed{first, {}};
  CHECK_FALSE(lexicon::load_history(tmp / "content", slugs, &unnamed).find("presentie")->local_changes);

  // Staged: the index differs from HEAD, the file from neither index nor itself.
  git(tmp, "add content/begrippen/presentie.md");
  lexicon::KnownHistory staged{first, {"presentie"}};
  lexicon::ContentHistory after_add = lexicon::load_history(tmp / "content", slugs, &staged);
  CHECK(after_add.find("presentie")->local_changes);
  CHECK(bytes(after_add) == bytes(lexicon::load_history(tmp / "content", slugs)));

  // Edited back to what HEAD has: no local change any more.
  git(tmp, "reset -q");
  git(tmp, "checkout -q -- content/begrippen/presentie.md");
  lexicon::KnownHistory reverted{after_edit, {"presentie"}};
  lexicon::ContentHistory after_revert = lexicon::load_history(tmp / "content", slugs, &reverted);
  CHECK_FALSE(after_revert.find("presentie")->local_changes);
  CHECK(bytes(after_revert) == bytes(first));

  // Where a filter applies (here: line endings), git's own status answers, the same way.
  write_file(tmp / ".gitattributes", "*.md text eol=crlf\n");
  append(tmp / "content/begrippen/presentie.md", "\nNog een regel.\n");
  lexicon::KnownHistory filtered{after_revert, {"presentie"}};
  lexicon::ContentHistory after_filter = lexicon::load_history(tmp / "content", slugs, &filtered);
  CHECK(after_filter.find("presentie")->local_changes);
  CHECK(bytes(after_filter) == bytes(lexicon::load_history(tmp / "content", slugs)));
}

TEST_CASE("history cache: round trip, and a damaged or foreign cache is not used") {
  TempDir tmp("history-cache");
  make_repository(tmp);
  write_file(tmp / "content/begrippen/nieuw.md", "---\ntitle: Nieuw\nsummary: Nog niet vastgelegd.\n---\nTekst.\n");
  const lexicon::ContentHistory h = lexicon::load_history(tmp / "content", {"presentie", "klik", "client", "nieuw"});
  REQUIRE(h.available);
  REQUIRE_FALSE(h.removed.empty());
  REQUIRE_FALSE(h.renamed.empty());
  const std::string bytes = lexicon::serialise_history_cache(h, "binary 1");
  auto decoded = lexicon::decode_history_cache(bytes, "binary 1");
  REQUIRE(decoded.has_value());
  CHECK(lexicon::serialise_history_cache(*decoded, "binary 1") == bytes);
  CHECK(decoded->find("nieuw")->local_changes);
  CHECK(decoded->removed[0].related == h.removed[0].related);
  CHECK(decoded->changes.size() == h.changes.size());
  CHECK(lexicon::rfc3339(decoded->commits[0]) == lexicon::rfc3339(h.commits[0]));

  CHECK_FALSE(lexicon::decode_history_cache(bytes, "binary 2").has_value());
  CHECK_FALSE(lexicon::decode_history_cache(bytes.substr(0, bytes.size() - 1), "binary 1").has_value());
  CHECK_FALSE(lexicon::decode_history_cache("", "binary 1").has_value());
  for (std::size_t at : {bytes.size() / 3, bytes.size() / 2, bytes.size() - 3}) {
    std::string damaged = bytes;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x20);
    CHECK_FALSE(lexicon::decode_history_cache(damaged, "binary 1").has_value());
  }
  lexicon::write_history_cache_file(tmp / "cache", h, "binary 1");
  auto read = lexicon::read_history_cache_file(tmp / "cache", "binary 1");
  REQUIRE(read.has_value());
  CHECK(lexicon::serialise_history_cache(*read, "binary 1") == bytes);
  CHECK_FALSE(lexicon::read_history_cache_file(tmp / "missing", "binary 1").has_value());
}
