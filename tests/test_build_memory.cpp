// What keeps a large build small (issue 12): parse_corpus keeps no Markdown trees and render parses
// each body again into the same tree; pages skip template data no tag of theirs can reach; a full
// build frees each body and plain text once read, and renders the big list pages one at a time.
#include <doctest/doctest.h>

#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "build_helpers.h"
#include "content.h"
#include "indexer.h"
#include "markdown.h"
#include "render.h"
#include "resolve.h"
#include "templates.h"

using namespace lexicon;
using namespace testutil;

namespace {
// The real content/, loaded, parsed and resolved, with the shipped templates.
struct RealLexicon {
  Diagnostics diagnostics;
  ParsedCorpus parsed = parse_corpus(load_corpus(source_dir() / "content", diagnostics), 2, diagnostics);
  LinkGraph graph = resolve(parsed, diagnostics);
  TemplateSet templates = load_templates(templates_dir(), diagnostics);
};
}  // namespace

TEST_CASE("parse_markdown_tree gives the tree parse_markdown checked: same HTML, links, citations, headings") {
  const std::string body =
      "# Kop\n\nZie [[presentie]] en [[Lange adem|de lange adem]] bij [@baart2001, p. 12; @kal].\n\n"
      "## Tweede kop\n\n| a | b |\n|---|---|\n| [[x]] | [@y] |\n\n![Alt](media/a.png) en https://example.org/x.\n\n"
      "Tekst met [term]{lang=en} en [^1] en <b>ruw</b>.\n\n[^1]: Voetnoot.\n\n### Derde kop\n";
  Diagnostics diagnostics;
  MarkdownDoc checked = parse_markdown(body, "content/begrippen/x.md", body, 1, diagnostics);
  MarkdownDoc again = parse_markdown_tree(body);
  CHECK(render_html(again) == render_html(checked));
  REQUIRE(again.links.size() == checked.links.size());
  REQUIRE(checked.links.size() >= 3);
  for (std::size_t i = 0; i < checked.links.size(); ++i) {
    CHECK(again.links[i].target == checked.links[i].target);
    CHECK(again.links[i].label == checked.links[i].label);
    CHECK(again.links[i].node != nullptr);
    CHECK(again.links[i].line == 0);  // no positions: the tree is for rendering only
  }
  REQUIRE(again.citations.size() == checked.citations.size());
  for (std::size_t i = 0; i < checked.citations.size(); ++i) CHECK(again.citations[i].key == checked.citations[i].key);
  REQUIRE(again.headings.size() == 3);
  for (std::size_t i = 0; i < checked.headings.size(); ++i) CHECK(again.headings[i].id == checked.headings[i].id);
  CHECK(again.images.size() == checked.images.size());
  CHECK(again.plain_text.empty());
  CHECK(!checked.plain_text.empty());
  // Filling in targets on the new tree renders them.
  set_link_target(again.links[0].node, "/begrippen/presentie/", "Presentie");
  CHECK(render_html(again).find("href=\"/begrippen/presentie/\"") != std::string::npos);

  drop_tree(checked);
  CHECK(checked.root == nullptr);
  CHECK(checked.links[0].node == nullptr);
  CHECK(!checked.plain_text.empty());
  CHECK_THROWS_AS(render_html(checked), std::logic_error);
}

TEST_CASE("parse_corpus keeps no trees: an entry body still renders with its links filled in") {
  Diagnostics diagnostics;
  ParsedCorpus parsed = parse_corpus(load_corpus(source_dir() / "content", diagnostics), 2, diagnostics);
  LinkGraph graph = resolve(parsed, diagnostics);
  REQUIRE(!parsed.entry_docs.empty());
  std::size_t with_links = 0;
  for (std::size_t i = 0; i < parsed.entry_docs.size(); ++i) {
    CHECK(parsed.entry_docs[i].root == nullptr);
    if (parsed.entry_docs[i].links.empty()) continue;
    ++with_links;
    std::string html = render_entry_body(parsed, graph, i);
    CHECK(html.find("href=\"/begrippen/") != std::string::npos);
    CHECK(render_entry_body(parsed, graph, i) == html);  // nothing in `parsed` changed
  }
  CHECK(with_links > 10);
}

TEST_CASE("template_mentions: a word in the page's template, the layout or a partial") {
  TemplateSet set;
  set.sources["home"] = "{{#themes}}<p>{{count}} begrippen</p>{{/themes}}";
  set.sources["theme"] = "{{#entries}}{{title}}{{/entries}}";
  set.sources["layout"] = "{{{content_html}}}";
  set.sources["_lijst"] = "{{#sub_entries}}{{/sub_entries}}";
  CHECK_FALSE(template_mentions(set, "home", "entries"));  // "sub_entries" is another name
  CHECK(template_mentions(set, "theme", "entries"));
  CHECK(template_mentions(set, "home", "count"));
  set.sources["_lijst"] = "{{#themes}}{{#entries}}{{url}}{{/entries}}{{/themes}}";
  CHECK(template_mentions(set, "home", "entries"));  // through a partial
  set.sources.erase("_lijst");
  set.sources["layout"] = "{{ theme.entries }}";
  CHECK(template_mentions(set, "home", "entries"));  // through the layout, dotted

  Diagnostics diagnostics;
  TemplateSet shipped = load_templates(templates_dir(), diagnostics);
  CHECK_FALSE(template_mentions(shipped, "home", "entries"));
  CHECK_FALSE(template_mentions(shipped, "themes", "entries"));
  CHECK(template_mentions(shipped, "theme", "entries"));
  CHECK_FALSE(template_mentions(shipped, "theme", "theme.entries"));
  CHECK_FALSE(template_mentions(shipped, "sources", "summary"));  // only a CSS class there

  // Only inside tags, unless the template changes its delimiters.
  TemplateSet classes;
  classes.sources["sources"] = "<p class=\"summary\">{{#citing}}{{title}}{{/citing}}</p>";
  CHECK_FALSE(template_mentions(classes, "sources", "summary"));
  classes.sources["sources"] += "{{#citing}}{{ summary }}{{/citing}}";
  CHECK(template_mentions(classes, "sources", "summary"));
  classes.sources["sources"] = "{{=<% %>=}}<% summary %>";
  CHECK(template_mentions(classes, "sources", "summary"));
  classes.sources["sources"] = "{{#citing}}{{summary";  // an unclosed tag counts too
  CHECK(template_mentions(classes, "sources", "summary"));
}

TEST_CASE("the sources page gives its citing entries' summaries to a template that shows them") {
  RealLexicon real;
  REQUIRE(!real.diagnostics.has_errors());
  auto sources_page = [&](const std::string& sources_template) {
    TemplateSet set = real.templates;
    set.sources["sources"] = sources_template;
    for (const auto& f : render_site(real.parsed, real.graph, set, 1).files) {
      if (f.path == "bronnen/index.html") return f.content;
    }
    FAIL("geen bronnenpagina");
    return std::string();
  };
  const std::string shown = sources_page("{{#sources}}{{#citing}}[{{summary}}]{{/citing}}{{/sources}}");
  std::size_t summaries = 0;
  for (const auto& e : real.parsed.corpus.entries) {
    if (!e.summary.empty() && contains(shown, "[" + e.summary + "]")) ++summaries;
  }
  CHECK(summaries > 10);
  CHECK_FALSE(contains(sources_page("{{#sources}}{{#citing}}[{{title}}]{{/citing}}{{/sources}}"), "[]"));
}

TEST_CASE("a theme page's entries: as entries, inside {{#theme}}, and as theme.entries when a template asks") {
  RealLexicon real;
  REQUIRE(!real.diagnostics.has_errors());
  auto& [diagnostics, parsed, graph, templates] = real;
  auto theme_page = [&](const std::string& theme_template) {
    TemplateSet set = templates;
    set.sources["theme"] = theme_template;
    RenderedSite site = render_site(parsed, graph, set, 1);
    const std::string path = "themas/" + parsed.corpus.themes.at(0).slug + "/index.html";
    for (const auto& f : site.files) {
      if (f.path == path) return f.content;
    }
    FAIL("geen pagina " << path);
    return std::string();
  };
  const std::string plain = theme_page("[{{#entries}}{{title}};{{/entries}}]");
  const auto from = plain.find('['), to = plain.find(']', from);
  REQUIRE(to != std::string::npos);
  const std::string list = plain.substr(from, to - from + 1);
  REQUIRE(list.size() > 10);
  CHECK(contains(theme_page("[{{#theme}}{{#entries}}{{title}};{{/entries}}{{/theme}}]"), list));
  CHECK(contains(theme_page("[{{#theme.entries}}{{title}};{{/theme.entries}}]"), list));
}

TEST_CASE("a full render that frees each body once read, heavy pages one at a time, gives the same files") {
  RealLexicon real;
  REQUIRE(!real.diagnostics.has_errors());
  auto& [diagnostics, parsed, graph, templates] = real;
  RenderedSite expected = render_site(parsed, graph, templates, 1);
  for (int jobs : {2, 3}) {
    ParsedCorpus freed = parsed;
    std::vector<int> reads(freed.corpus.entries.size());
    std::mutex mutex;
    std::map<std::string, std::string> written;
    RenderControl control;
    control.body_read = [&](std::size_t i) {
      std::lock_guard lock(mutex);
      ++reads[i];
      std::string().swap(freed.corpus.entries[i].body);
    };
    control.write = [&](const OutputFile& f) {
      std::lock_guard lock(mutex);
      CHECK(written.emplace(f.path, f.content).second);
    };
    RenderedSite site = render_site(freed, graph, templates, jobs, nullptr, nullptr, &control);
    for (std::size_t i = 0; i < reads.size(); ++i) CHECK(reads[i] == 1);
    for (const auto& e : freed.corpus.entries) CHECK(e.body.empty());
    REQUIRE(site.files.size() == expected.files.size());
    CHECK(control.done == control.total);
    for (std::size_t i = 0; i < site.files.size(); ++i) {
      const auto& f = expected.files[i];
      CHECK(site.files[i].path == f.path);
      if (auto it = written.find(f.path); it != written.end()) CHECK(it->second == f.content);
      else CHECK(site.files[i].content == f.content);  // not through `write`: the SKOS files
    }
    CHECK(written.count("a-z/index.html") == 1);
    CHECK(written.count("bronnen/index.html") == 1);
    CHECK(written.count("sitemap.xml") == 1);
  }
}

TEST_CASE("build_index tells once per entry that its plain text has been read") {
  Diagnostics diagnostics;
  ParsedCorpus parsed = parse_corpus(load_corpus(source_dir() / "content", diagnostics), 2, diagnostics);
  LinkGraph graph = resolve(parsed, diagnostics);
  TempDir tmp("index-done");
  std::vector<int> done(parsed.entry_docs.size());
  build_index(parsed, graph, tmp / "index", nullptr, [&](std::size_t i) {
    ++done[i];
    std::string().swap(parsed.entry_docs[i].plain_text);
  });
  for (std::size_t i = 0; i < done.size(); ++i) CHECK(done[i] == 1);
  Xapian::Database db((tmp / "index").string());
  CHECK(db.get_doccount() >= parsed.entry_docs.size());
}
