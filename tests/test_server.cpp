// `lexicon serve`: path resolution, query hygiene, suggestions, and the real HTTP server on a loopback port.
#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include <httplib.h>
#include <xapian.h>

#include "build_helpers.h"
#include "search.h"
#include "running_server.h"
#include "server.h"
#include "text.h"

using namespace testutil;
using lexicon::resolve_request_path;

TEST_CASE("resolve_request_path refuses traversal, dotfiles, the index and symlinks out of the tree") {
  TempDir tmp("resolve");
  fs::path site = tmp / "site";
  write_file(site / "index.html", "home");
  write_file(site / "a" / "index.html", "a");
  write_file(site / "a" / "b.css", "b");
  write_file(site / ".xapian" / "iamglass", "index");
  write_file(site / ".hidden", "secret");
  write_file(tmp / "outside.txt", "outside");
  fs::create_directory_symlink(tmp.path(), site / "link-out");
  fs::create_symlink(tmp / "outside.txt", site / "file-out");
  fs::create_directory_symlink(site / ".xapian", site / "link-to-index");
  fs::create_symlink(site / "a" / "b.css", site / "link-in.css");

  CHECK(resolve_request_path(site, "/") == fs::canonical(site / "index.html"));
  CHECK(resolve_request_path(site, "/a/") == fs::canonical(site / "a" / "index.html"));
  CHECK(resolve_request_path(site, "/a") == fs::canonical(site / "a" / "index.html"));
  CHECK(resolve_request_path(site, "/a/b.css") == fs::canonical(site / "a" / "b.css"));
  CHECK(resolve_request_path(site, "/link-in.css") == fs::canonical(site / "a" / "b.css"));
  for (std::string bad : std::vector<std::string>{"", "a/", "/../outside.txt", "/a/../../outside.txt", "/a/..", "/.xapian/iamglass",
                          "/.xapian/", "/.hidden", "/a/.hidden", "/link-out/outside.txt", "/file-out",
                          "/link-to-index/iamglass", "/a\\..\\..\\outside.txt", std::string("/a\0/b.css", 9),
                          "/missing.html", "/a/b.css/"}) {
    CAPTURE(bad);
    CHECK(resolve_request_path(site, bad).empty());
  }
}

TEST_CASE("query hygiene: invalid UTF-8, control characters and length") {
  CHECK(lexicon::clean_query("  presentie  ", 100) == "presentie");
  std::string bad = "a\xff\xfe" "b";
  std::string cleaned = lexicon::clean_query(bad, 100);
  CHECK(lexicon::find_invalid_utf8(cleaned) == std::string::npos);
  CHECK(cleaned.starts_with("a"));
  CHECK(lexicon::clean_query("a\r\nb\tc", 100) == "a  b c");
  std::string long_query(10000, 'x');
  CHECK(lexicon::clean_query(long_query, 512).size() == 512);
  // Cut at a character boundary, never inside "ë".
  std::string cut = lexicon::clean_query("cliënt", 4);
  CHECK(cut == "cli");
  CHECK(lexicon::normalize_prefix("") == "/");
  CHECK(lexicon::normalize_prefix("lexicon") == "/lexicon/");
  CHECK(lexicon::normalize_prefix("/lexicon") == "/lexicon/");
  CHECK(lexicon::normalize_prefix("/a/b/") == "/a/b/");
}

TEST_CASE("suggest: titles before aliases, word prefixes, diacritics ignored") {
  auto entries = lexicon::parse_suggest_index(nlohmann::json::parse(R"([
    {"title": "Aansluiten en afstemmen", "url": "/begrippen/aansluiten/", "aliases": ["attunement"]},
    {"title": "Cliënt", "url": "/begrippen/client/", "aliases": ["hulpvrager", "klant"]},
    {"title": "Klantgericht werken", "url": "/begrippen/klantgericht/"},
    {"title": "Presentie", "url": "/begrippen/presentie/", "aliases": ["presence approach"]}
  ])"));
  REQUIRE(entries.size() == 4);
  auto s = lexicon::suggest(entries, "CLIE");
  REQUIRE(s.size() == 1);
  CHECK(s[0]["title"] == "Cliënt");
  CHECK_FALSE(s[0].contains("alias"));
  s = lexicon::suggest(entries, "klant");
  REQUIRE(s.size() == 2);
  CHECK(s[0]["title"] == "Klantgericht werken");  // a title match ranks before an alias match
  CHECK(s[1]["title"] == "Cliënt");
  CHECK(s[1]["alias"] == "klant");
  s = lexicon::suggest(entries, "afst");  // second word of the title
  REQUIRE(s.size() == 1);
  CHECK(s[0]["url"] == "/begrippen/aansluiten/");
  s = lexicon::suggest(entries, "appro");
  REQUIRE(s.size() == 1);
  CHECK(s[0]["alias"] == "presence approach");
  CHECK(lexicon::suggest(entries, "   ").empty());
  CHECK(lexicon::suggest(entries, "zzz").empty());
  CHECK(lexicon::suggest(entries, "a").size() == 2);
  CHECK(lexicon::suggest(entries, "a", 1).size() == 1);
}

namespace {


int status_of(const httplib::Result& r) { return r ? r->status : -1; }

}  // namespace

TEST_CASE("lexicon serve: pages, search page, API, suggestions, odd queries, denial of the index") {
  TempDir tmp("serve");
  auto report = build_copy(tmp, "good");
  REQUIRE_MESSAGE(report.exit_code == 0, all_diagnostics(report));
  lexicon::ServeOptions o;
  o.site_dir = tmp / "site";
  RunningServer running(o);
  auto c = running.client();

  SUBCASE("pages with content types and validators") {
    auto r = c.Get("/");
    REQUIRE(status_of(r) == 200);
    CHECK(r->get_header_value("Content-Type") == "text/html; charset=utf-8");
    CHECK(contains(r->body, "search.js"));
    r = c.Get("/static/style.css");
    REQUIRE(status_of(r) == 200);
    CHECK(r->get_header_value("Content-Type") == "text/css; charset=utf-8");
    std::string etag = r->get_header_value("ETag");
    std::string last_modified = r->get_header_value("Last-Modified");
    CHECK_FALSE(etag.empty());
    CHECK_FALSE(last_modified.empty());
    CHECK(status_of(c.Get("/static/style.css", {{"If-None-Match", etag}})) == 304);
    CHECK(status_of(c.Get("/static/style.css", {{"If-Modified-Since", last_modified}})) == 304);
    CHECK(status_of(c.Get("/static/style.css", {{"If-None-Match", "W/\"other\""}})) == 200);
    // Validators come from the bytes: a clean rebuild (new files, inodes and times) keeps them.
    auto page = c.Get("/begrippen/presentie/");
    REQUIRE(status_of(page) == 200);
    std::string page_etag = page->get_header_value("ETag");
    lexicon::BuildOptions again;
    again.content_dir = tmp / "content";
    again.site_dir = tmp / "site";
    again.templates_dir = templates_dir();
    again.clean = true;
    REQUIRE(lexicon::run_build(again, false).exit_code == 0);
    CHECK(status_of(c.Get("/begrippen/presentie/", {{"If-None-Match", page_etag}})) == 304);
    CHECK(c.Get("/begrippen/presentie/")->get_header_value("ETag") == page_etag);
    CHECK(status_of(c.Get("/begrippen/leefwereld/", {{"If-None-Match", page_etag}})) == 200);
    CHECK(status_of(c.Get("/static/search.js")) == 200);
    r = c.Get("/begrippen/presentie");
    REQUIRE(status_of(r) == 301);
    CHECK(r->get_header_value("Location") == "/begrippen/presentie/");
  }

  SUBCASE("gzip when accepted") {
    c.set_decompress(false);
    auto r = c.Get("/begrippen/presentie/", {{"Accept-Encoding", "gzip"}});
    REQUIRE(status_of(r) == 200);
    CHECK(r->get_header_value("Content-Encoding") == "gzip");
    CHECK(r->get_header_value("Vary") == "Accept-Encoding");
    REQUIRE(r->body.size() > 2);
    CHECK(static_cast<unsigned char>(r->body[0]) == 0x1f);
    r = c.Get("/begrippen/presentie/");
    REQUIRE(status_of(r) == 200);
    CHECK_FALSE(r->has_header("Content-Encoding"));
  }

  SUBCASE("never the index, dotfiles or anything outside the site") {
    for (const char* path : {"/.xapian/iamglass", "/.xapian/", "/%2exapian/iamglass", "/.lexicon/site.json",
                             "/../content/lexicon.yaml", "/%2e%2e/%2e%2e/etc/passwd", "/begrippen/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
                             "/begrippen/..%2f..%2f..%2fetc%2fpasswd", "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
                             "/begrippen/%2e%2e%5c%2e%2e%5cetc", "/nope/"}) {
      CAPTURE(path);
      auto r = c.Get(path);
      CHECK(status_of(r) == 404);
      if (r) CHECK_FALSE(contains(r->body, "root:"));
    }
  }

  SUBCASE("/api/search is lexicon search --json") {
    auto r = c.Get("/api/search?q=presentie");
    REQUIRE(status_of(r) == 200);
    CHECK(r->get_header_value("Content-Type") == "application/json");
    Xapian::Database db((tmp / "site" / ".xapian").string());
    lexicon::SearchOptions so;
    so.query = "presentie";
    CHECK(nlohmann::json::parse(r->body) == lexicon::to_json(lexicon::search(db, so)));
    auto j = nlohmann::json::parse(r->body);
    REQUIRE(j["hits"].size() > 0);
    CHECK(j["hits"][0]["title"] == "Presentie");
  }

  SUBCASE("/zoeken/ renders results in the site's page, the query escaped") {
    auto r = c.Get("/zoeken/?q=presentie");
    REQUIRE(status_of(r) == 200);
    CHECK(contains(r->body, "class=\"results\""));
    CHECK(contains(r->body, "href=\"/begrippen/presentie/\""));
    CHECK(contains(r->body, "value=\"presentie\""));
    r = c.Get("/zoeken/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E%22%27");
    REQUIRE(status_of(r) == 200);
    CHECK_FALSE(contains(r->body, "<script>alert"));
    CHECK(contains(r->body, "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;"));
    r = c.Get("/zoeken/?q=zorgmijding&type=bron");
    REQUIRE(status_of(r) == 200);
    CHECK(contains(r->body, "zoek in alles"));  // filtered empty state offers the way back
    r = c.Get("/zoeken/");
    REQUIRE(status_of(r) == 200);
    CHECK_FALSE(contains(r->body, "class=\"results\""));
  }

  SUBCASE("odd queries get a calm answer") {
    std::string big(5000, 'a');
    for (std::string q : std::vector<std::string>{"AND", "OR%20NOT%20AND", "*", "%22abc", "%22", "(((", "%ff%fe%fd", "-", "NEAR/3",
                          "%00", "%E2%80%8B", "a%20" + big, std::string(10 * 1024, 'b')}) {
      for (std::string path : {"/api/search?q=", "/zoeken/?q=", "/api/suggest?q="}) {
        CAPTURE(path + q.substr(0, 40));
        auto r = c.Get(path + q);
        REQUIRE(r);
        // 414 is the URI limit (8 KiB) of the HTTP layer; everything else is answered normally. Either
        // way the answer is calm: JSON from the API, a page in the site's look from /zoeken/.
        CHECK((r->status == 200 || (r->status == 414 && q.size() > 8000)));
        if (path != "/zoeken/?q=") CHECK_FALSE(nlohmann::json::parse(r->body, nullptr, false).is_discarded());
        else CHECK(contains(r->body, r->status == 414 ? "Deze zoekvraag is te lang" : "<!DOCTYPE html>"));
        if (path == "/zoeken/?q=") CHECK(contains(r->body, "/static/style.css"));
      }
    }
    CHECK(status_of(c.Get("/api/search?q=presentie&pagina=abc&limit=-4&type=%3Cx%3E&thema=%ff")) == 200);
    CHECK(status_of(c.Get("/api/nothing")) == 404);
  }

  SUBCASE("/api/suggest completes titles and aliases") {
    auto r = c.Get("/api/suggest?q=hulpv");
    REQUIRE(status_of(r) == 200);
    auto j = nlohmann::json::parse(r->body);
    REQUIRE(j.size() == 1);
    CHECK(j[0]["title"] == "Cliënt");
    CHECK(j[0]["alias"] == "hulpvrager");
    CHECK(j[0]["url"] == "/begrippen/client/");
    j = nlohmann::json::parse(c.Get("/api/suggest?q=pres")->body);
    REQUIRE(j.size() >= 1);
    CHECK(j[0]["title"] == "Presentie");
  }
}

TEST_CASE("lexicon serve --index: a replica updated in place gets its stored fields read again") {
  TempDir tmp("serve-replica");
  REQUIRE(build_copy(tmp, "good").exit_code == 0);
  fs::copy(tmp / "site/.xapian", tmp / "replica", fs::copy_options::recursive);
  lexicon::ServeOptions o;
  o.site_dir = tmp / "site";
  o.index_dir = tmp / "replica";
  RunningServer running(o);
  auto c = running.client();
  // Polls with searches (each one looks at the index's revision) until the stored fields of `want` are held.
  auto held = [&](const lexicon::IndexRevision& want) {
    for (int i = 0; i < 200; ++i) {
      auto r = c.Get("/api/search?q=presentie");
      REQUIRE(r);
      REQUIRE(r->status == 200);
      if (running.server().preloaded_index() == want) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return false;
  };
  lexicon::IndexRevision first = lexicon::IndexRevision::of(Xapian::Database((tmp / "replica").string()));
  CHECK(held(first));
  {
    // What xapian-replicate does to a replica, in miniature: a new revision of the same database.
    Xapian::WritableDatabase db((tmp / "replica").string(), Xapian::DB_OPEN);
    Xapian::Document d = db.get_document(1);
    d.add_boolean_term("Zreplicated");  // a change, or the commit makes no new revision
    db.replace_document(1, d);
    db.commit();
  }
  lexicon::IndexRevision second = lexicon::IndexRevision::of(Xapian::Database((tmp / "replica").string()));
  REQUIRE(second.revision > first.revision);
  CHECK(held(second));
  auto r = c.Get("/api/search?q=presentie");
  REQUIRE(r);
  CHECK(contains(r->body, "\"title\":\"Presentie\""));
}

TEST_CASE("lexicon serve under a path prefix") {
  TempDir tmp("prefix");
  auto report = build_copy(tmp, "good");
  REQUIRE(report.exit_code == 0);
  lexicon::ServeOptions o;
  o.site_dir = tmp / "site";
  o.prefix = "/lexicon";
  RunningServer running(o);
  auto c = running.client();
  CHECK(status_of(c.Get("/lexicon/begrippen/presentie/")) == 200);
  CHECK(status_of(c.Get("/lexicon/static/style.css")) == 200);
  CHECK(status_of(c.Get("/begrippen/presentie/")) == 404);
  auto r = c.Get("/lexicon/api/search?q=presentie");
  REQUIRE(status_of(r) == 200);
  CHECK(nlohmann::json::parse(r->body)["total"].get<int>() > 0);
  CHECK(status_of(c.Get("/lexicon/zoeken/?q=presentie")) == 200);
  CHECK(status_of(c.Get("/lexicon/.xapian/iamglass")) == 404);
  r = c.Get("/");
  REQUIRE(status_of(r) == 302);
  CHECK(r->get_header_value("Location") == "/lexicon/");
  r = c.Get("/lexicon/begrippen/presentie");
  REQUIRE(status_of(r) == 301);
  CHECK(r->get_header_value("Location") == "/lexicon/begrippen/presentie/");
}

TEST_CASE("lexicon serve picks up a rebuilt generation without failing a request") {
  TempDir tmp("swap");
  auto report = build_copy(tmp, "good");
  REQUIRE(report.exit_code == 0);
  lexicon::ServeOptions o;
  o.site_dir = tmp / "site";
  RunningServer running(o);
  auto c = running.client();
  CHECK(nlohmann::json::parse(c.Get("/api/search?q=wolkenkrabber")->body)["total"] == 0);
  CHECK(nlohmann::json::parse(c.Get("/api/suggest?q=wolken")->body).empty());

  std::atomic<bool> done{false};
  std::atomic<int> requests{0}, failures{0};
  std::vector<std::thread> load;
  for (int t = 0; t < 3; ++t) {
    load.emplace_back([&, t] {
      auto lc = running.client();
      const char* paths[] = {"/api/search?q=presentie", "/zoeken/?q=leefwereld", "/begrippen/presentie/"};
      while (!done) {
        auto r = lc.Get(paths[t]);
        ++requests;
        if (status_of(r) != 200) ++failures;
      }
    });
  }
  write_file(tmp / "content" / "begrippen" / "wolkenkrabber.md",
             "---\ntitle: Wolkenkrabber\naliases: [hoogbouw]\nthemes: [praktijk]\nsummary: Een nieuw begrip na de "
             "herbouw.\nrelated: [presentie]\n---\nEen wolkenkrabber staat naast [[presentie]].\n");
  for (int i = 0; i < 2; ++i) {
    auto again = build_copy(tmp, "good", "site", false);
    REQUIRE_MESSAGE(again.exit_code == 0, all_diagnostics(again));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  done = true;
  for (auto& th : load) th.join();
  CHECK(requests > 0);
  CHECK(failures == 0);
  auto j = nlohmann::json::parse(c.Get("/api/search?q=wolkenkrabber")->body);
  CHECK(j["total"] == 1);
  j = nlohmann::json::parse(c.Get("/api/suggest?q=hoogb")->body);
  REQUIRE(j.size() == 1);
  CHECK(j[0]["title"] == "Wolkenkrabber");
  CHECK(status_of(c.Get("/begrippen/wolkenkrabber/")) == 200);
}
