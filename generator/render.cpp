#include "render.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <optional>
#include <mutex>
#include <set>
#include <unordered_set>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "az_index.h"
#include "collation.h"
#include "conceptmap.h"
#include "escape.h"
#include "history_view.h"
#include "skos.h"
#include "text.h"

namespace lexicon {

using kainjow::mustache::data;

namespace {

std::string surname(const std::string& author) {
  auto comma = author.find(',');
  return trim(comma == std::string::npos ? author : author.substr(0, comma));
}

std::string join(const std::vector<std::string>& parts, const std::string& sep, const std::string& last_sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += (i + 1 == parts.size()) ? last_sep : sep;
    out += parts[i];
  }
  return out;
}

// kainjow's set() and push_back() copy their argument, and on the list pages that argument holds
// thousands of entries (several copies of them were alive at once): these move it instead.
void put(data& object, const std::string& key, data&& value) { object[key] = std::move(value); }
// list_value() is const only in its interface: the list itself is owned by `list` and not const.
kainjow::mustache::basic_list<std::string>& items_of(data& list) {
  return const_cast<kainjow::mustache::basic_list<std::string>&>(list.list_value());
}
void append(data& list, data&& item) { items_of(list).push_back(std::move(item)); }
// kainjow's move constructor is not noexcept, so a growing list copies every item it holds each time
// it reallocates (a tenth of a title edit at 10,000 entries, on the pages listing them all): lists of
// known length reserve it first.
data list_of_size(std::size_t size) {
  data list(data::type::list);
  items_of(list).reserve(size);
  return list;
}

// A document from the parse cache comes without its text and body (content.h): the task rendering its
// page reads the body from the file, so only the pages rendered read theirs, on the render threads.
const std::string& body_of(const Document& d, std::string& read) {
  if (!d.body.empty() || !d.text.empty()) return d.body;
  read = read_body(d);
  return read;
}

struct Context {
  const ParsedCorpus& parsed;
  const LinkGraph& graph;
  const Corpus& corpus() const { return parsed.corpus; }
  const std::string& base() const { return parsed.corpus.config.base_path; }

  std::string url(const std::string& path) const { return base() + path; }
  std::string absolute(const std::string& path) const {
    const auto& b = corpus().config.base_url;
    return (b.find("://") != std::string::npos ? b : base()) + path;
  }

  data list() const { return data(data::type::list); }

  data theme_refs(const Document& d) const {
    data out = list();
    for (const auto& slug : d.themes) {
      for (const auto& t : corpus().themes) {
        if (t.slug != slug) continue;
        data item;
        item.set("name", t.name);
        item.set("url", url(theme_path(t.slug)));
        append(out, std::move(item));
      }
    }
    return out;
  }

  // put(), not set(): the theme pages and the sources page list thousands of these. Without the summary
  // (for a list that does not show it), the field is not there: the name then reads from an outer object.
  // So it may for the title's language when `lang_when_set`: only on pages whose outer objects have no
  // title_lang (the theme and sources pages; an entry page has its own), and then only the few titles
  // in another language carry one (a third of the fields of the sources page's 20,000 citing entries).
  data entry_ref(int index, bool with_summary = true, bool lang_when_set = false) const {
    const auto& e = corpus().entries[static_cast<std::size_t>(index)];
    data item;
    put(item, "title", data(e.title));
    if (!lang_when_set || !e.title_lang.empty()) {
      put(item, "title_lang", data(e.title_lang));
      put(item, "has_title_lang", data(!e.title_lang.empty()));
    }
    put(item, "url", data(url(entry_path(e.slug))));
    if (with_summary) put(item, "summary", data(e.summary));
    return item;
  }

  data entry_refs(const std::vector<int>& indexes, bool with_summary = true, bool lang_when_set = false) const {
    data out = list_of_size(indexes.size());
    for (int i : indexes) append(out, entry_ref(i, with_summary, lang_when_set));
    return out;
  }

  data reference(const Source& s) const {
    data item;
    item.set("key", s.key);
    item.set("id", "bron-" + slugify(s.key));
    std::vector<std::string> authors = s.authors;
    item.set("authors", join(authors, ", ", " & "));
    item.set("has_authors", !authors.empty());
    item.set("year", s.year.empty() ? std::string("z.j.") : s.year);
    item.set("title", s.title);
    item.set("container", s.container);
    item.set("has_container", !s.container.empty());
    std::string pub = s.place.empty() ? s.publisher : (s.publisher.empty() ? s.place : s.place + ": " + s.publisher);
    item.set("publisher", pub);
    item.set("has_publisher", !pub.empty());
    std::string details;
    if (!s.volume.empty()) details += s.volume;
    if (!s.issue.empty()) details += "(" + s.issue + ")";
    if (!s.pages.empty()) details += (details.empty() ? "" : ", ") + std::string("p. ") + s.pages;
    item.set("details", details);
    item.set("has_details", !details.empty());
    std::string link = !s.doi.empty() ? (s.doi.starts_with("http") ? s.doi : "https://doi.org/" + s.doi) : s.url;
    item.set("link", is_safe_url(link) ? link : std::string());
    item.set("has_link", !link.empty() && is_safe_url(link));
    item.set("url", url("bronnen/") + "#bron-" + slugify(s.key));
    return item;
  }

  data aliases(const Document& d) const {
    data out = list();
    for (std::size_t k = 0; k < d.aliases.size(); ++k) {
      const auto& a = d.aliases[k];
      data item;
      item.set("text", a.text);
      item.set("sep", k + 1 < d.aliases.size() ? std::string(", ") : std::string());
      item.set("lang", a.lang);
      item.set("has_lang", !a.lang.empty());
      append(out, std::move(item));
    }
    return out;
  }

  void apply_links(MarkdownDoc& doc, const std::vector<LinkTarget>& targets, const std::string& self_url) const {
    for (std::size_t i = 0; i < doc.links.size() && i < targets.size(); ++i) {
      const auto& t = targets[i];
      auto& ref = doc.links[i];
      if (t.kind == LinkTarget::none) {
        unlink(ref.node);
        ref.node = nullptr;
        continue;
      }
      std::string target_url, title, label = ref.label;
      if (t.kind == LinkTarget::entry) {
        const auto& e = corpus().entries[static_cast<std::size_t>(t.index)];
        target_url = url(entry_path(e.slug));
        title = e.summary;
        // [[benadering-geen-methode]] reads better as its title than as a slug.
        if (!ref.has_label && ref.target == e.slug && e.slug.find('-') != std::string::npos) set_link_text(ref.node, e.title);
        if (ref.target.empty()) target_url = self_url;
      } else {
        const auto& p = corpus().pages[static_cast<std::size_t>(t.index)];
        target_url = url(page_path(p.slug));
        title = p.summary;
      }
      if (!t.anchor.empty()) target_url += "#" + t.anchor;
      set_link_target(ref.node, target_url, title);
    }
    for (auto& c : doc.citations) {
      auto it = graph.source_index.find(c.key);
      if (it == graph.source_index.end()) {
        set_link_text(c.node, c.key);
        set_link_target(c.node, url("bronnen/"), "");
        continue;
      }
      const auto& s = corpus().sources[static_cast<std::size_t>(it->second)];
      std::string label = author_year(s);
      if (!c.locator.empty()) label += ", " + c.locator;
      set_link_text(c.node, label);
      set_link_target(c.node, "#bron-" + slugify(s.key), s.title);
    }
    for (auto& img : doc.images) {
      std::string u = img.url;
      if (u.starts_with("../")) u = u.substr(3);
      if (u.starts_with("media/")) cmark_set_image(img.node, url(u));
    }
  }

  static void cmark_set_image(cmark_node* node, const std::string& u) { set_link_target(node, u, ""); }

  data base_data(const std::string& page_title, const std::string& description, const std::string& path) const {
    data d;
    const auto& c = corpus().config;
    d.set("base", base());
    d.set("site_title", c.title);
    d.set("site_subtitle", c.subtitle);
    d.set("licence", c.licence);
    d.set("lang", c.language);
    d.set("page_title", page_title);
    d.set("is_home", path.empty());
    d.set("description", description.empty() ? c.subtitle : description);
    d.set("canonical", absolute(path));
    d.set("path", path);
    d.set("json_ld_html", std::string());
    return d;
  }

  std::string entry_json_ld(const Document& e, const std::string& path) const {
    nlohmann::json j = {
        {"@context", "https://schema.org"},
        {"@type", "DefinedTerm"},
        {"name", e.title},
        {"description", e.summary},
        {"url", absolute(path)},
        {"inDefinedTermSet", {{"@type", "DefinedTermSet"}, {"name", corpus().config.title}, {"url", absolute("")}}}};
    if (!e.aliases.empty()) {
      nlohmann::json alt = nlohmann::json::array();
      for (const auto& a : e.aliases) alt.push_back(a.text);
      j["alternateName"] = alt;
    }
    return "<script type=\"application/ld+json\">" + json_for_script(j.dump()) + "</script>";
  }
};

}  // namespace

std::string author_year(const Source& s) {
  std::string who;
  if (s.authors.empty()) who = s.title;
  else if (s.authors.size() == 1) who = surname(s.authors[0]);
  else if (s.authors.size() == 2) who = surname(s.authors[0]) + " & " + surname(s.authors[1]);
  else who = surname(s.authors[0]) + " e.a.";
  return who + ", " + (s.year.empty() ? "z.j." : s.year);
}

RedirectPlan plan_redirects(const Corpus& corpus, const ContentHistory* history) {
  // Only asked whether a name is taken (an ordered set of ~30,000 names cost 30 ms of an edit).
  std::unordered_set<std::string> taken;
  taken.reserve(corpus.entries.size() * 3);
  for (const auto& e : corpus.entries) taken.insert(e.slug);
  RedirectPlan plan;
  auto& redirects = plan.redirects;
  // Slugs an entry had earlier in git claim their URL first: an old address is a promise.
  if (history) {
    for (const auto& [old_slug, slug] : history->renamed) {
      for (std::size_t i = 0; i < corpus.entries.size(); ++i) {
        if (corpus.entries[i].slug == slug && taken.insert(old_slug).second) redirects.emplace_back(old_slug, static_cast<int>(i));
      }
    }
  }
  for (std::size_t i = 0; i < corpus.entries.size(); ++i) {
    const auto& e = corpus.entries[i];
    std::vector<std::string> names;
    for (const auto& a : e.aliases) names.push_back(slugify(a.text));
    names.push_back(slugify(e.title));
    for (const auto& f : e.former_slugs) names.push_back(slugify(f));
    for (const auto& n : names) {
      if (!n.empty() && taken.insert(n).second) redirects.emplace_back(n, static_cast<int>(i));
    }
  }
  if (history) {
    // A removed entry leaves a page at its old URL, unless that URL now belongs to something else.
    for (std::size_t k = 0; k < history->removed.size(); ++k) {
      if (taken.insert(history->removed[k].slug).second) plan.removed.push_back(k);
    }
  }
  return plan;
}

OutputFile segmented_output(std::string path, SegmentedText&& segmented) {
  SegmentTable table = segmented.table();
  return OutputFile{std::move(path), std::move(segmented.text), false, std::move(table)};
}

std::string render_entry_body(const ParsedCorpus& parsed, const LinkGraph& graph, std::size_t index) {
  Context ctx{parsed, graph};
  const std::string path = entry_path(parsed.corpus.entries[index].slug);
  std::string read;
  MarkdownDoc doc = parse_markdown_tree(body_of(parsed.corpus.entries[index], read));
  ctx.apply_links(doc, graph.entry_links[index], ctx.url(path));
  return render_html(doc);
}

RenderedSite render_site(const ParsedCorpus& parsed, const LinkGraph& graph, const TemplateSet& templates, int jobs,
                         const ContentHistory* history, const std::vector<std::vector<Suggestion>>* suggestions,
                         RenderControl* control) {
  Context ctx{parsed, graph};
  const SiteLinks links{ctx.base(), ctx.absolute("")};
  const Corpus& corpus = parsed.corpus;
  RenderedSite site;
  // Concept maps: one Graphviz context for the whole build, shared (serialized) by the render threads.
  ConceptMapper own_mapper;
  ConceptMapper& mapper = control && control->mapper ? *control->mapper : own_mapper;
  std::vector<std::string> entry_titles, entry_urls;
  for (const auto& e : corpus.entries) {
    entry_titles.push_back(e.title);
    entry_urls.push_back(ctx.url(entry_path(e.slug)));
  }

  // The current generation's copy of an output written in segments, for its unchanged segments.
  auto current_copy = [control](const std::string& path) -> std::optional<PreviousOutput> {
    if (!control || !control->previous_output) return std::nullopt;
    return control->previous_output(path);
  };

  // Each task renders one output file; tasks are independent, so they run in any order.
  using Task = std::function<OutputFile(CompiledTemplates&)>;
  std::vector<Task> tasks;
  // Each task's output path, known before it runs, so an incremental build can skip it.
  std::vector<std::string> task_paths;
  // Heavy tasks (pages listing every entry) hold template data for every row at once. In a full render
  // they run one at a time, after the entry pages have been handed out (whose bodies are then mostly
  // freed), while the other threads go on with light tasks: two side by side made the peak memory at
  // 50,000 entries. An incremental render keeps every body and has few tasks, mostly small: there the
  // lists go first, the longest first, so the render does not end on one thread with a long list while
  // the other idles (a title edit at 10,000 entries ended so on the SKOS export).
  const bool full_render = !control || !control->wanted;
  enum class Size { page, lists_some, lists_all };  // lists_some: a theme's entries
  std::vector<std::size_t> light, heavy, lists_all_first, lists_some_next;
  auto add = [&](std::string path, Task task, Size size = Size::page) {
    if (control && control->wanted && !control->wanted(path)) {
      site.kept.push_back(std::move(path));
      return;
    }
    if (full_render) (size == Size::lists_all ? heavy : light).push_back(tasks.size());
    else (size == Size::lists_all ? lists_all_first : size == Size::lists_some ? lists_some_next : light).push_back(tasks.size());
    task_paths.push_back(std::move(path));
    tasks.push_back(std::move(task));
  };

  auto page = [&ctx](CompiledTemplates& t, const std::string& name, data d) {
    d.set("content_html", t.render(name, d));
    return t.render("layout", d);
  };

  for (std::size_t i = 0; i < corpus.entries.size(); ++i) {
    add(entry_path(corpus.entries[i].slug) + "index.html", [&, i](CompiledTemplates& t) {
      const Document& e = corpus.entries[i];
      std::string path = entry_path(e.slug);
      // Parsed again here (parse_corpus keeps no trees), and freed as soon as the page is rendered.
      std::string read;
      MarkdownDoc doc = parse_markdown_tree(body_of(e, read));
      if (control && control->body_read) control->body_read(i);
      ctx.apply_links(doc, graph.entry_links[i], ctx.url(path));
      data d = ctx.base_data(e.title, e.summary, path);
      d.set("title", e.title);
      d.set("title_lang", e.title_lang);
      d.set("has_title_lang", !e.title_lang.empty());
      d.set("summary", e.summary);
      d.set("body_html", render_html(doc));
      put(d, "themes", ctx.theme_refs(e));
      d.set("has_themes", !e.themes.empty());
      if (!e.themes.empty()) {
        for (const auto& th : corpus.themes) {
          if (th.slug == e.themes[0]) {
            d.set("breadcrumb_name", th.name);
            d.set("breadcrumb_url", ctx.url(theme_path(th.slug)));
          }
        }
      }
      d.set("aliases", ctx.aliases(e));
      d.set("has_aliases", !e.aliases.empty());
      data toc = ctx.list();
      for (const auto& h : doc.headings) {
        if (h.level > 3) continue;
        data item;
        item.set("id", h.id);
        item.set("text", h.text);
        item.set("sub", h.level == 3);
        append(toc, std::move(item));
      }
      put(d, "toc", std::move(toc));
      d.set("has_toc", doc.headings.size() >= 3);
      put(d, "related", ctx.entry_refs(graph.related[i]));
      d.set("has_related", !graph.related[i].empty());
      // Computed "Verwant": shown apart from the editors' Zie ook, with the shared words as the reason.
      data computed = ctx.list();
      bool has_computed = suggestions && i < suggestions->size() && !(*suggestions)[i].empty();
      if (has_computed) {
        for (const auto& sg : (*suggestions)[i]) {
          data item = ctx.entry_ref(sg.entry);
          item.set("reason", join(sg.reason, ", ", " en "));
          append(computed, std::move(item));
        }
      }
      put(d, "suggestions", std::move(computed));
      d.set("has_suggestions", has_computed);
      put(d, "backlinks", ctx.entry_refs(graph.incoming[i]));
      d.set("has_backlinks", !graph.incoming[i].empty());
      // References: the entry's sources plus anything cited in the body, in key order of citation labels.
      std::set<std::string> keys(e.sources.begin(), e.sources.end());
      for (const auto& c : doc.citations) keys.insert(c.key);
      std::vector<const Source*> refs;
      for (const auto& k : keys) {
        if (auto it = graph.source_index.find(k); it != graph.source_index.end()) refs.push_back(&corpus.sources[static_cast<std::size_t>(it->second)]);
      }
      std::sort(refs.begin(), refs.end(), [](const Source* a, const Source* b) {
        return collation_key(author_year(*a)) < collation_key(author_year(*b));
      });
      data references = ctx.list();
      for (const Source* s : refs) append(references, ctx.reference(*s));
      put(d, "references", std::move(references));
      d.set("has_references", !refs.empty());
      std::vector<std::string> authors = e.authors.empty() ? corpus.config.editors : e.authors;
      d.set("authors", join(authors, ", ", " & "));
      // Only this entry's own commits: an unrelated commit leaves this page byte-identical.
      set_entry_history(d, history, e.slug);
      set_citation(d, e, corpus.config, last_revision(history, e.slug), ctx.absolute(path));
      d.set("json_ld_html", ctx.entry_json_ld(e, path));
      d.set("concept_map_svg_html", concept_map_svg(entry_concept_graph(static_cast<int>(i), graph.outgoing[i], graph.incoming[i],
                                                                        graph.outgoing, entry_titles, entry_urls),
                                                    mapper));
      return OutputFile{path + "index.html", page(t, "entry", d)};
    });
  }

  for (std::size_t i = 0; i < corpus.pages.size(); ++i) {
    add(page_path(corpus.pages[i].slug) + "index.html", [&, i](CompiledTemplates& t) {
      const Document& p = corpus.pages[i];
      std::string path = page_path(p.slug);
      std::string read;
      MarkdownDoc doc = parse_markdown_tree(body_of(p, read));
      ctx.apply_links(doc, graph.page_links[i], ctx.url(path));
      data d = ctx.base_data(p.title, p.summary, path);
      d.set("title", p.title);
      d.set("summary", p.summary);
      d.set("body_html", render_html(doc));
      // Pages may cite too; list the works they cite.
      std::set<std::string> keys;
      for (const auto& c : doc.citations) keys.insert(c.key);
      data references = ctx.list();
      for (const auto& k : keys) {
        if (auto it = graph.source_index.find(k); it != graph.source_index.end()) references.push_back(ctx.reference(corpus.sources[static_cast<std::size_t>(it->second)]));
      }
      d.set("references", references);
      d.set("has_references", !keys.empty());
      return OutputFile{path + "index.html", page(t, "page", d)};
    });
  }

  const std::size_t page_tasks = light.size();  // entries and pages come first
  auto theme_data = [&](const Theme& th, bool with_entries) {
    data item;
    item.set("name", th.name);
    item.set("description", th.description);
    item.set("url", ctx.url(theme_path(th.slug)));
    auto it = graph.theme_entries.find(th.slug);
    std::size_t count = it == graph.theme_entries.end() ? 0 : it->second.size();
    item.set("count", std::to_string(count));
    if (with_entries) put(item, "entries", it == graph.theme_entries.end() ? ctx.list() : ctx.entry_refs(it->second, true, true));
    return item;
  };

  // The shipped home and theme-list templates show each theme's count, not its entries.
  const bool home_entries = template_mentions(templates, "home", "entries");
  const bool themes_list_entries = template_mentions(templates, "themes", "entries");
  const bool theme_page_entries = template_mentions(templates, "theme", "theme.entries");
  for (const auto& th : corpus.themes) {
    add(theme_path(th.slug) + "index.html", [&, th](CompiledTemplates& t) {
      std::string path = theme_path(th.slug);
      data d = ctx.base_data(th.name, th.description, path);
      // The entries as "entries" (below); inside {{#theme}} that name finds them too, so the theme object
      // carries its own copy only for a template that asks for theme.entries.
      data item = theme_data(th, theme_page_entries);
      put(d, "theme", std::move(item));
      d.set("name", th.name);
      d.set("theme_description", th.description);
      auto it = graph.theme_entries.find(th.slug);
      put(d, "entries", it == graph.theme_entries.end() ? ctx.list() : ctx.entry_refs(it->second, true, true));
      if (it != graph.theme_entries.end()) {
        d.set("concept_map_svg_html", concept_map_svg(theme_concept_graph(th.name, it->second, graph.outgoing, graph.incoming,
                                                                          entry_titles, entry_urls),
                                                      mapper));
        d.set("concept_map_partial", it->second.size() > concept_map_max_theme_entries);
        d.set("concept_map_count", std::to_string(concept_map_max_theme_entries));
      }
      return OutputFile{path + "index.html", page(t, "theme", d)};
    }, Size::lists_some);
  }

  add("themas/index.html", [&](CompiledTemplates& t) {
    data d = ctx.base_data("Thema's", "Alle thema's van het lexicon", "themas/");
    data themes = ctx.list();
    for (const auto& th : corpus.themes) append(themes, theme_data(th, themes_list_entries));
    put(d, "themes", std::move(themes));
    return OutputFile{"themas/index.html", page(t, "themes", d)};
  }, themes_list_entries ? Size::lists_all : Size::page);

  add("index.html", [&](CompiledTemplates& t) {
    data d = ctx.base_data(corpus.config.title, corpus.config.subtitle, "");
    data themes = ctx.list();
    for (const auto& th : corpus.themes) append(themes, theme_data(th, home_entries));
    put(d, "themes", std::move(themes));
    d.set("entry_count", std::to_string(corpus.entries.size()));
    for (const auto& p : corpus.pages) {
      if (p.slug == "over") {
        d.set("about_summary", p.summary);
        d.set("about_url", ctx.url(page_path(p.slug)));
        d.set("has_about", true);
      }
    }
    // The lexicon as a schema.org DefinedTermSet; its terms point back to it from their own pages
    // (listing 10,000 terms here would make the home page heavy), the full list is the SKOS export.
    nlohmann::json set = {{"@context", "https://schema.org"},
                          {"@type", "DefinedTermSet"},
                          {"name", corpus.config.title},
                          {"url", ctx.absolute("")},
                          {"inLanguage", corpus.config.language}};
    if (!corpus.config.subtitle.empty()) set["description"] = corpus.config.subtitle;
    if (!corpus.config.licence.empty()) set["license"] = corpus.config.licence;
    set["subjectOf"] = {{{"@type", "DataDownload"}, {"encodingFormat", "text/turtle"}, {"contentUrl", ctx.absolute("skos.ttl")}},
                        {{"@type", "DataDownload"}, {"encodingFormat", "application/ld+json"}, {"contentUrl", ctx.absolute("skos.jsonld")}}};
    d.set("json_ld_html", "<script type=\"application/ld+json\">" + json_for_script(set.dump()) + "</script>");
    return OutputFile{"index.html", page(t, "home", d)};
  }, home_entries ? Size::lists_all : Size::page);

  // A–Z (az_index.h): one page with a section per letter, or (from az_per_letter_from entries on) an
  // overview of the letters and a page per letter, so a title edit renders only its letter's page.
  std::optional<AzIndex> own_az;
  if (!control || !control->az) own_az = az_index(corpus, graph.title_keys);
  const AzIndex& az = own_az ? *own_az : *control->az;
  auto letter_url = [&](char letter) {
    return az.per_letter ? ctx.url(az_letter_path(letter)) : "#" + az_letter_id(letter);
  };
  // Every letter, linked when it has rows; "#" (digits, other scripts) only when it has them.
  auto letter_bar = [&](char current) {
    data bar = ctx.list();
    auto add_letter = [&](char c, bool present) {
      data b;
      b.set("letter", az_letter_label(c));
      b.set("present", present);
      if (present) b.set("url", letter_url(c));
      b.set("current", c == current);
      bar.push_back(b);
    };
    std::size_t k = 0;
    if (k < az.letters.size() && az.letters[k].letter == '#') add_letter('#', true), ++k;
    for (char c = 'a'; c <= 'z'; ++c) {
      const bool present = k < az.letters.size() && az.letters[k].letter == c;
      add_letter(c, present);
      if (present) ++k;
    }
    return bar;
  };
  // A letter's rows, 20,000 in all at 10,000 entries: the keys were made once (az_index), and each row's
  // fields are moved into the template data (kainjow's set() copies each value twice).
  auto letter_items = [&](const AzLetter& letter) {
    data items = list_of_size(letter.to - letter.from);
    for (std::size_t k = letter.from; k < letter.to; ++k) {
      const AzRow& r = az.rows[k];
      const std::string& lang = az_lang(corpus, r);
      // Only the fields a row has: an absent one reads as false or empty (no outer object has these
      // names but "lang", read only under has_lang). Half the fields of 20,000 rows was a fifth of the page.
      data item;
      put(item, "text", data(az_text(corpus, r)));
      put(item, "url", data(entry_urls[r.entry]));
      if (r.alias >= 0) {
        put(item, "alias", data(true));
        put(item, "see_title", data(corpus.entries[r.entry].title));
      }
      if (!lang.empty()) {
        put(item, "lang", data(lang));
        put(item, "has_lang", data(true));
      }
      append(items, std::move(item));
    }
    return items;
  };
  add("a-z/index.html", [&](CompiledTemplates& t) {
    data letters = list_of_size(az.letters.size());
    for (const AzLetter& letter : az.letters) {
      data l;
      l.set("letter", az_letter_label(letter.letter));
      l.set("id", az_letter_id(letter.letter));
      if (az.per_letter) {
        const std::size_t titles = letter.titles, aliases = letter.to - letter.from - titles;
        l.set("url", letter_url(letter.letter));
        l.set("titles", std::to_string(titles));
        l.set("has_titles", titles > 0);
        l.set("one_title", titles == 1);
        l.set("aliases", std::to_string(aliases));
        l.set("has_aliases", aliases > 0);
        l.set("one_alias", aliases == 1);
        l.set("first", az_text(corpus, az.rows[letter.from]));
        l.set("last", az_text(corpus, az.rows[letter.to - 1]));
        l.set("has_range", letter.to - letter.from > 1);
      } else {
        put(l, "items", letter_items(letter));
      }
      append(letters, std::move(l));
    }
    data d = ctx.base_data("A–Z", "Alle begrippen van A tot Z", "a-z/");
    put(d, "letters", std::move(letters));
    d.set("per_letter", az.per_letter);
    put(d, "bar", letter_bar(0));
    return OutputFile{"a-z/index.html", page(t, "az", d)};
  }, az.per_letter ? Size::page : Size::lists_all);
  if (az.per_letter) {
    for (std::size_t n = 0; n < az.letters.size(); ++n) {
      const std::string path = az_letter_path(az.letters[n].letter);
      add(path + "index.html", [&, n, path](CompiledTemplates& t) {
        const AzLetter& letter = az.letters[n];
        const std::string label = az_letter_label(letter.letter);
        data d = ctx.base_data("A–Z: " + label, letter.letter == '#' ? "Begrippen die niet met een letter beginnen"
                                                                       : "Alle begrippen onder de " + label, path);
        d.set("letter", label);
        d.set("other", letter.letter == '#');
        put(d, "items", letter_items(letter));
        put(d, "bar", letter_bar(letter.letter));
        if (n > 0) {
          d.set("previous_url", letter_url(az.letters[n - 1].letter));
          d.set("previous_letter", az_letter_label(az.letters[n - 1].letter));
        }
        if (n + 1 < az.letters.size()) {
          d.set("next_url", letter_url(az.letters[n + 1].letter));
          d.set("next_letter", az_letter_label(az.letters[n + 1].letter));
        }
        return OutputFile{path + "index.html", page(t, "az-letter", d)};
      });
    }
  }

  // Every citation's entry, 20,000 at 10,000 entries: their summaries only for a template that shows them.
  const bool citing_summaries = template_mentions(templates, "sources", "summary");
  add("bronnen/index.html", [&](CompiledTemplates& t) {
    data d = ctx.base_data("Bronnen", "Alle bronnen waarop het lexicon steunt", "bronnen/");
    std::vector<const Source*> sorted;
    for (const auto& s : corpus.sources) sorted.push_back(&s);
    std::sort(sorted.begin(), sorted.end(), [](const Source* a, const Source* b) {
      return collation_key(author_year(*a)) < collation_key(author_year(*b));
    });
    data sources = list_of_size(sorted.size());
    for (const Source* s : sorted) {
      data item = ctx.reference(*s);
      auto it = graph.citing.find(s->key);
      put(item, "citing", it == graph.citing.end() ? ctx.list() : ctx.entry_refs(it->second, citing_summaries, true));
      item.set("has_citing", it != graph.citing.end() && !it->second.empty());
      append(sources, std::move(item));
    }
    put(d, "sources", std::move(sources));
    return OutputFile{"bronnen/index.html", page(t, "sources", d)};
  }, Size::lists_all);

  add("404.html", [&](CompiledTemplates& t) {
    data d = ctx.base_data("Pagina niet gevonden", "Deze pagina bestaat niet", "404.html");
    return OutputFile{"404.html", page(t, "notfound", d)};
  });

  add(".lexicon/site.json", [&](CompiledTemplates&) {
    nlohmann::json j = {{"base_path", corpus.config.base_path}, {"title", corpus.config.title}};
    return OutputFile{".lexicon/site.json", j.dump(2) + "\n"};
  });

  add("zoeken/index.html", [&](CompiledTemplates& t) {
    data d = ctx.base_data("Zoeken", "Zoeken in het lexicon", "zoeken/");
    return OutputFile{"zoeken/index.html", page(t, "search", d)};
  });

  // Titles and aliases for suggestions: read by `lexicon serve` (/api/suggest) and by search.js when hosted statically.
  add("zoeken/index.json", [&](CompiledTemplates&) {
    std::vector<std::size_t> sorted(corpus.entries.size());
    for (std::size_t i = 0; i < sorted.size(); ++i) sorted[i] = i;
    const std::vector<std::string>& keys = graph.title_keys;
    std::stable_sort(sorted.begin(), sorted.end(), [&](std::size_t a, std::size_t b) { return keys[a] < keys[b]; });
    // The same bytes as one array dumped whole (keys in byte order), each item put together here
    // (json_string): making a json object per item was most of this file's time. Each item is a segment
    // (segments.h): a title edit copies the others from the current file.
    auto previous = current_copy("zoeken/index.json");
    SegmentedText segmented(Hasher().add("suggest 1").value(), previous ? &*previous : nullptr);
    std::string& out = segmented.text;
    out += "[";
    for (std::size_t i : sorted) {
      const Document& e = corpus.entries[i];
      if (out.size() > 1) out += ',';
      Hasher print;
      print.add(e.title).add(entry_urls[i]).add(static_cast<std::uint64_t>(e.aliases.size()));
      for (const auto& a : e.aliases) print.add(a.text);
      segmented.segment(print.value(), [&](std::string& item) {
        item += '{';
        if (!e.aliases.empty()) {
          item += "\"aliases\":[";
          for (std::size_t k = 0; k < e.aliases.size(); ++k) {
            if (k) item += ',';
            item += json_string(e.aliases[k].text);
          }
          item += "],";
        }
        item += "\"title\":" + json_string(e.title) + ",\"url\":" + json_string(entry_urls[i]) + '}';
      });
    }
    out += "]\n";
    return segmented_output("zoeken/index.json", std::move(segmented));
  }, Size::lists_all);

  // Redirects: alias slugs and the bare /begrippen/ folder.
  std::optional<RedirectPlan> own_plan;
  if (!control || !control->redirects) own_plan = plan_redirects(corpus, history);
  const RedirectPlan& plan = own_plan ? *own_plan : *control->redirects;
  const auto& redirects = plan.redirects;
  for (const auto& [slug, index] : redirects) {
    add(entry_path(slug) + "index.html", [&, slug = slug, index = index](CompiledTemplates& t) {
      const auto& e = corpus.entries[static_cast<std::size_t>(index)];
      data d = ctx.base_data(e.title, e.summary, entry_path(e.slug));
      d.set("target", ctx.url(entry_path(e.slug)));
      d.set("title", e.title);
      return OutputFile{entry_path(slug) + "index.html", t.render("redirect", d)};
    });
  }
  add("begrippen/index.html", [&](CompiledTemplates& t) {
    data d = ctx.base_data("A–Z", "", "a-z/");
    d.set("target", ctx.url("a-z/"));
    d.set("title", "A–Z");
    return OutputFile{"begrippen/index.html", t.render("redirect", d)};
  });

  if (history) {
    for (std::size_t k : plan.removed) {
      const RemovedEntry& removed = history->removed[k];
      add(entry_path(removed.slug) + "index.html", [&, &removed = removed](CompiledTemplates& t) {
        data d = ctx.base_data(removed.title.empty() ? removed.slug : removed.title, "Dit begrip is verwijderd",
                               entry_path(removed.slug));
        data r = removed_data(removed, *history, corpus, graph, links);
        for (const char* key : {"title", "removed_date", "removed_date_iso", "subject", "short_id", "related",
                                "has_related", "az_url"}) {
          d.set(key, *r.get(key));
        }
        return OutputFile{entry_path(removed.slug) + "index.html", page(t, "removed", d)};
      });
    }
  }
  add("recent/index.html", [&](CompiledTemplates& t) {
    data d = ctx.base_data("Recente wijzigingen", "Wat er onlangs in het lexicon is veranderd", "recent/");
    data r = history ? recent_data(*history, corpus, links) : recent_data(ContentHistory{}, corpus, links);
    for (const char* key : {"changes", "has_changes", "no_git"}) d.set(key, *r.get(key));
    return OutputFile{"recent/index.html", page(t, "recent", d)};
  });
  add("feed.xml", [&](CompiledTemplates& t) {
    data d = history ? feed_data(*history, corpus, links) : feed_data(ContentHistory{}, corpus, links);
    return OutputFile{"feed.xml", t.render("feed", d)};
  });

  add("sitemap.xml", [&](CompiledTemplates& t) {
    constexpr std::array<const char*, 4> fixed_paths = {"", "a-z/", "themas/", "bronnen/"};
    data urls = list_of_size(fixed_paths.size() + az.letters.size() + corpus.themes.size() + corpus.entries.size() +
                             corpus.pages.size());
    auto add_url = [&](const std::string& path) {
      data u;
      u.set("loc", ctx.absolute(path));
      append(urls, std::move(u));
    };
    for (const char* path : fixed_paths) add_url(path);
    if (az.per_letter) for (const AzLetter& letter : az.letters) add_url(az_letter_path(letter.letter));
    for (const auto& th : corpus.themes) add_url(theme_path(th.slug));
    for (const auto& e : corpus.entries) add_url(entry_path(e.slug));
    for (const auto& p : corpus.pages) add_url(page_path(p.slug));
    data d;
    put(d, "urls", std::move(urls));
    return OutputFile{"sitemap.xml", t.render("sitemap", d)};
  }, Size::lists_all);

  // The SKOS export (skos.h) lists every entry: two heavy tasks, the longer first.
  add("skos.jsonld", [&](CompiledTemplates&) {
    auto previous = current_copy("skos.jsonld");
    return skos_jsonld(parsed, graph, previous ? &*previous : nullptr);
  }, Size::lists_all);
  add("skos.ttl", [&](CompiledTemplates&) {
    auto previous = current_copy("skos.ttl");
    return skos_turtle(parsed, graph, previous ? &*previous : nullptr);
  }, Size::lists_all);

  if (!full_render) {
    lists_all_first.insert(lists_all_first.end(), lists_some_next.begin(), lists_some_next.end());
    light.insert(light.begin(), lists_all_first.begin(), lists_all_first.end());
  }
  site.files.resize(tasks.size());
  if (control) control->total = tasks.size();
  // Light tasks in order; a heavy one whenever none is running and the entry pages have all been taken
  // (or nothing else is left: then the threads take turns at the heavy ones).
  struct Schedule {
    std::mutex mutex;
    std::condition_variable heavy_done;
    std::size_t next_light = 0, next_heavy = 0;
    bool heavy_running = false, stop = false;
  } schedule;
  const std::size_t heavy_after = page_tasks;
  constexpr std::size_t none = static_cast<std::size_t>(-1);
  auto take = [&](bool& is_heavy) -> std::size_t {
    std::unique_lock lock(schedule.mutex);
    for (;;) {
      if (schedule.stop) return none;
      const bool heavy_left = schedule.next_heavy < heavy.size();
      if (heavy_left && !schedule.heavy_running && schedule.next_light >= heavy_after) {
        schedule.heavy_running = is_heavy = true;
        return heavy[schedule.next_heavy++];
      }
      if (schedule.next_light < light.size()) {
        is_heavy = false;
        return light[schedule.next_light++];
      }
      if (!heavy_left) return none;
      schedule.heavy_done.wait(lock);
    }
  };
  auto heavy_finished = [&](bool stop) {
    {
      std::lock_guard lock(schedule.mutex);
      schedule.heavy_running = false;
      schedule.stop = schedule.stop || stop;
    }
    schedule.heavy_done.notify_all();
  };
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(std::max(1, jobs)));
  auto worker = [&](std::size_t id) {
    bool is_heavy = false;
    try {
      CompiledTemplates compiled(templates);
      for (std::size_t i; (i = take(is_heavy)) != none;) {
        site.files[i] = tasks[i](compiled);
        if (site.files[i].path != task_paths[i]) throw std::logic_error("render: uitvoerpad " + site.files[i].path + " != " + task_paths[i]);
        if (control && control->write) {
          control->write(site.files[i]);
          std::string().swap(site.files[i].content);  // frees it (assigning an empty string keeps the buffer)
          site.files[i].written = true;
        }
        if (is_heavy) heavy_finished(false);
        is_heavy = false;
        if (control) ++control->done;
      }
    } catch (...) {
      errors[id] = std::current_exception();
      heavy_finished(true);  // stops the others, and wakes any waiting for a heavy task
    }
  };
  std::vector<std::thread> threads;
  for (int k = 1; k < std::max(1, jobs); ++k) threads.emplace_back(worker, static_cast<std::size_t>(k));
  worker(0);
  for (auto& th : threads) th.join();
  for (auto& e : errors) if (e) std::rethrow_exception(e);

  std::sort(site.files.begin(), site.files.end(), [](const OutputFile& a, const OutputFile& b) { return a.path < b.path; });
  // The server renders search results with this template, from the generation it serves.
  site.copies.push_back({templates.root / "search-results.mustache", ".lexicon/search-results.mustache"});
  for (const auto& f : templates.static_files) site.copies.push_back({templates.root / "static" / f, "static/" + f.generic_string()});
  for (const auto& m : corpus.media) site.copies.push_back({corpus.root / "media" / m, "media/" + m});
  if (control && control->wanted) {
    std::vector<CopyFile> wanted;
    for (auto& c : site.copies) {
      if (control->wanted(c.path)) wanted.push_back(std::move(c));
      else site.kept.push_back(c.path);
    }
    site.copies = std::move(wanted);
  }
  std::sort(site.kept.begin(), site.kept.end());
  return site;
}

}  // namespace lexicon
