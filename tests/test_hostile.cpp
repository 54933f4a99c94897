// Hostile text everywhere (title, aliases, summary, themes, bibliography, body, pages, git commit subjects): the
// fixture builds (only warnings), and no active markup survives anywhere in site/, in search snippets or in the
// server's search page.
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>
#include <xapian.h>

#include "build_helpers.h"
#include "search.h"
#include "running_server.h"
#include "server.h"

using namespace testutil;

namespace {

const std::string hostile = "<script>alert(1)</script>\" onmouseover=\"alert(2)\" ' onfocus='alert(3)' </script>";

struct Attr {
  std::string name, value;
};

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// A URL a browser would run or treat as a document: javascript:, vbscript:, data: (ignoring case, leading
// whitespace and control characters, and tabs/newlines inside the scheme, as browsers do).
bool dangerous_url(const std::string& raw) {
  std::string u;
  for (char c : html_unescape(raw))
    if (static_cast<unsigned char>(c) > ' ') u += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return u.starts_with("javascript:") || u.starts_with("vbscript:") || u.starts_with("data:");
}

// A small HTML tokenizer, enough to see tags and attributes as a browser would; problems go to `out`.
void scan_html(const std::string& file, const std::string& html, const std::string& base_path,
               std::vector<std::string>& out) {
  auto problem = [&](const std::string& what, std::size_t at) {
    out.push_back(file + ": " + what + " near: " + html.substr(at > 40 ? at - 40 : 0, 120));
  };
  std::size_t i = 0;
  while ((i = html.find('<', i)) != std::string::npos) {
    if (html.compare(i, 4, "<!--") == 0) {
      auto end = html.find("-->", i + 4);
      if (end == std::string::npos) return problem("unterminated comment", i);
      i = end + 3;
      continue;
    }
    std::size_t p = i + 1;
    bool closing = p < html.size() && html[p] == '/';
    if (closing) ++p;
    if (p >= html.size() || !std::isalpha(static_cast<unsigned char>(html[p]))) {
      ++i;
      continue;
    }
    std::size_t name_start = p;
    while (p < html.size() && !std::isspace(static_cast<unsigned char>(html[p])) && html[p] != '>' && html[p] != '/') ++p;
    std::string tag = lower(html.substr(name_start, p - name_start));
    std::vector<Attr> attrs;
    while (p < html.size() && html[p] != '>') {
      if (std::isspace(static_cast<unsigned char>(html[p])) || html[p] == '/') {
        ++p;
        continue;
      }
      std::size_t a = p;
      while (p < html.size() && !std::isspace(static_cast<unsigned char>(html[p])) && html[p] != '=' &&
             html[p] != '>' && !(html[p] == '/' && p + 1 < html.size() && html[p + 1] == '>'))
        ++p;
      Attr attr{lower(html.substr(a, p - a)), ""};
      if (p < html.size() && html[p] == '=') {
        ++p;
        if (p < html.size() && (html[p] == '"' || html[p] == '\'')) {
          char q = html[p];
          auto end = html.find(q, p + 1);
          if (end == std::string::npos) return problem("unterminated attribute", a);
          attr.value = html.substr(p + 1, end - p - 1);
          p = end + 1;
        } else {
          std::size_t v = p;
          while (p < html.size() && !std::isspace(static_cast<unsigned char>(html[p])) && html[p] != '>') ++p;
          attr.value = html.substr(v, p - v);
        }
      }
      attrs.push_back(attr);
    }
    std::size_t tag_end = p;
    if (!closing) {
      for (const auto& attr : attrs) {
        if (attr.name.starts_with("on")) problem("event handler attribute " + attr.name, i);
        if ((attr.name == "href" || attr.name == "src" || attr.name == "action" || attr.name == "formaction" ||
             attr.name == "xlink:href" || attr.name == "poster" || attr.name == "srcset") &&
            dangerous_url(attr.value))
          problem("dangerous URL in " + attr.name, i);
        if (attr.name == "content" && lower(html_unescape(attr.value)).find("url=") != std::string::npos) {
          auto v = html_unescape(attr.value);
          if (dangerous_url(v.substr(lower(v).find("url=") + 4))) problem("dangerous refresh URL", i);
        }
      }
      if (tag == "iframe" || tag == "object" || tag == "embed" || tag == "base") problem("tag <" + tag + ">", i);
      if (tag == "form") {  // only the site's own search forms
        bool own = std::any_of(attrs.begin(), attrs.end(), [&](const Attr& x) {
          return x.name == "action" && x.value == base_path + "zoeken/";
        });
        if (!own) problem("foreign form", i);
      }
      if (tag == "script") {
        auto end = lower(html).find("</script", tag_end);
        if (end == std::string::npos) return problem("unterminated script", i);
        std::string body = html.substr(tag_end + 1, end - tag_end - 1);
        bool json_ld = attrs.size() == 1 && attrs[0].name == "type" && attrs[0].value == "application/ld+json";
        bool own_script = attrs.size() >= 1 && attrs[0].name == "src" &&
                          attrs[0].value.starts_with(base_path + "static/") && body.empty() &&
                          std::all_of(attrs.begin() + 1, attrs.end(), [](const Attr& x) { return x.name == "defer"; });
        if (json_ld) {
          if (body.find('<') != std::string::npos) problem("raw < inside JSON-LD", i);
          if (nlohmann::json::parse(body, nullptr, false).is_discarded()) problem("JSON-LD does not parse", i);
        } else if (!own_script) {
          problem("foreign script", i);
        }
        i = end + 1;
        continue;
      }
      if (tag == "style") {
        auto end = lower(html).find("</style", tag_end);
        if (end == std::string::npos) return problem("unterminated style", i);
        i = end + 1;
        continue;
      }
    }
    i = tag_end;
  }
}

void git(const TempDir& tmp, const std::string& args) {
  std::string env =
      "GIT_AUTHOR_NAME='Redactie onmouseover=x' GIT_AUTHOR_EMAIL=redactie@example.org "
      "GIT_COMMITTER_NAME=Redactie GIT_COMMITTER_EMAIL=redactie@example.org "
      "GIT_AUTHOR_DATE=2024-01-10T10:00:00+01:00 GIT_COMMITTER_DATE=2024-01-10T10:00:00+01:00 "
      "GIT_CONFIG_NOSYSTEM=1 HOME=" + shell_quote(tmp.path().string());
  auto r = run(env + " git -c commit.gpgsign=false -c init.defaultBranch=main " + args, tmp.path(), tmp.path());
  INFO(args << "\n" << r.out << r.err);
  REQUIRE(r.exit_code == 0);
}


}  // namespace

TEST_CASE("scanner: the HTML checker itself finds active markup") {
  std::vector<std::string> p;
  scan_html("x", "<p>ok &lt;script&gt;</p><a href=\"/a/\" title=\"&quot; onclick=&quot;\">a</a>", "/", p);
  CHECK(p.empty());
  for (std::string bad : {"<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<a href=\" JaVa\tscript:x\">",
                          "<a href='data:text/html,x'>", "<p title=\"\" onmouseover=\"x\">",
                          "<script type=\"application/ld+json\">{\"a\":\"</b>\"}</script>",
                          "<script src=\"https://evil.example/x.js\"></script>", "<iframe src=\"/\">",
                          "<form action=\"https://evil.example/\">"}) {
    CAPTURE(bad);
    std::vector<std::string> q;
    scan_html("x", bad, "/", q);
    CHECK_FALSE(q.empty());
  }
}

TEST_CASE("hostile text: the lexicon builds and no active markup survives anywhere in site/") {
  TempDir tmp("hostile");
  copy_tree(fixtures_dir() / "hostile/content", tmp / "content");
  // Commit it, so the feed, "recent" and page histories carry the hostile subject too.
  git(tmp, "init -q");
  git(tmp, "add -A");
  git(tmp, "commit -q -m " + shell_quote("Kwaad " + hostile + "\r\nSet-Cookie: x=1"));
  auto report = build_copy(tmp, "hostile", "site", false);
  REQUIRE_MESSAGE(report.exit_code == 0, all_diagnostics(report));
  // Raw HTML in the body is dropped with a warning, never an error.
  CHECK(contains(all_diagnostics(report), "ruwe HTML wordt weggelaten"));

  const fs::path site = tmp / "site";
  auto files = snapshot(site, {".xapian"});
  REQUIRE(files.count("begrippen/gevaar/index.html") == 1);
  std::vector<std::string> problems;
  std::size_t html_files = 0, hostile_seen = 0;
  for (const auto& [rel, text] : files) {
    CAPTURE(rel);
    if (contains(text, "alert(1)")) ++hostile_seen;
    if (rel.ends_with(".html") || rel.ends_with(".xml") || rel.ends_with(".svg")) {
      ++html_files;
      scan_html(rel, text, "/", problems);
      if (rel.ends_with(".xml")) {
        CHECK_FALSE(contains(text, "<script"));
        // Atom text constructs only: an html/xhtml construct would be unescaped and rendered by readers.
        CHECK_FALSE(contains(text, "type=\"html\""));
        CHECK_FALSE(contains(text, "type=\"xhtml\""));
      }
    } else if (rel.ends_with(".json") || rel.ends_with(".jsonld")) {
      auto j = nlohmann::json::parse(text, nullptr, false);
      CHECK_MESSAGE(!j.is_discarded(), rel << " does not parse");
    } else if (rel.ends_with(".ttl")) {
      // Turtle strings: hostile quotes must be escaped, so no line may contain an unescaped `" onmouseover=`.
      for (std::size_t at = 0; (at = text.find("\" onmouseover=", at)) != std::string::npos; ++at)
        CHECK_MESSAGE((at > 0 && text[at - 1] == '\\'), "unescaped quote in skos.ttl at " << at);
    }
  }
  CHECK(html_files > 20);
  CHECK(hostile_seen > 10);  // the hostile text really reached the output (escaped)
  for (const auto& rel : {"feed.xml", "sitemap.xml", "skos.ttl", "skos.jsonld", "zoeken/index.json"})
    CHECK_MESSAGE(files.count(rel) == 1, rel);
  CHECK(contains(files["feed.xml"], "alert(1)"));
  CHECK(contains(files["skos.ttl"], "alert(1)"));
  CHECK(contains(files["zoeken/index.json"], "alert(1)"));
  CHECK_MESSAGE(problems.empty(), [&] {
    std::string s;
    for (std::size_t k = 0; k < problems.size() && k < 30; ++k) s += problems[k] + "\n";
    return s;
  }());

  // Search: a hostile query and hostile matches give escaped snippets only.
  Xapian::Database db((site / ".xapian").string());
  for (std::string q : {"<script>alert(1)</script>", "onmouseover", "gevaar alert", "\" onfocus='x"}) {
    CAPTURE(q);
    lexicon::SearchOptions so;
    so.query = q;
    auto result = lexicon::search(db, so);
    for (const auto& hit : result.hits) {
      std::vector<std::string> p;
      scan_html("snippet", hit.snippet_html, "/", p);
      CHECK_MESSAGE(p.empty(), hit.snippet_html);
      std::string without_mark = hit.snippet_html;
      for (std::string m : {"<mark>", "</mark>"})
        for (std::size_t at; (at = without_mark.find(m)) != std::string::npos;) without_mark.erase(at, m.size());
      CHECK_MESSAGE(without_mark.find('<') == std::string::npos, hit.snippet_html);
    }
    if (q == "gevaar alert") CHECK_FALSE(result.hits.empty());
  }

  // The server's own search page and API, with the hostile query in the URL.
  lexicon::ServeOptions o;
  o.site_dir = site;
  RunningServer server(o);
  httplib::Client c("127.0.0.1", server.port());
  c.set_connection_timeout(5);
  c.set_read_timeout(10);
  for (std::string q : {"<script>alert(1)</script>", "gevaar alert", "\"><svg onload=alert(1)>"}) {
    CAPTURE(q);
    auto page = c.Get("/zoeken/?q=" + httplib::detail::encode_query_param(q));
    REQUIRE(page);
    CHECK(page->status == 200);
    std::vector<std::string> p;
    scan_html("/zoeken/?q=", page->body, "/", p);
    CHECK_MESSAGE(p.empty(), (p.empty() ? "" : p.front()));
    auto api = c.Get("/api/search?q=" + httplib::detail::encode_query_param(q));
    REQUIRE(api);
    CHECK(api->status == 200);
    CHECK(nlohmann::json::parse(api->body, nullptr, false).is_object());
    CHECK(contains(api->get_header_value("Content-Type"), "application/json"));
  }
  // Header injection through the path: CR/LF never reach a response header.
  auto inj = c.Get("/begrippen/gevaar%0d%0aSet-Cookie:%20x=1/");
  if (inj) CHECK_FALSE(inj->has_header("Set-Cookie"));
  auto inj2 = c.Get("/zoeken/?q=a%0d%0aSet-Cookie:%20x=1");
  REQUIRE(inj2);
  CHECK_FALSE(inj2->has_header("Set-Cookie"));
}
