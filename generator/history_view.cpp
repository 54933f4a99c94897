#include "history_view.h"

#include <algorithm>

#include <fmt/format.h>

#include "escape.h"
#include "text.h"

namespace lexicon {

using kainjow::mustache::data;

namespace {

// How many commits an entry page lists, and how many changes the recent page and feed show.
constexpr std::size_t entry_history_limit = 10;
constexpr std::size_t recent_limit = 100;
constexpr std::size_t feed_limit = 50;

data list() { return data(data::type::list); }

data revision_data(const Revision& r) {
  data item;
  item.set("date", dutch_date(r));
  item.set("date_iso", iso_date(r));
  item.set("author", r.author);
  item.set("subject", r.subject);
  item.set("short_id", r.short_id);
  item.set("id", r.id);
  return item;
}

// APA lists authors as "A, B, & C"; names are used as the editors wrote them.
std::string apa_authors(const std::vector<std::string>& names) {
  if (names.size() == 1) return names[0];
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? ", & " : ", ";
    out += names[i];
  }
  return out;
}

std::string with_period(const std::string& s) {
  if (s.empty() || s.back() == '.' || s.back() == '?' || s.back() == '!') return s;
  return s + ".";
}

const char* kind_label(Change::Kind k) {
  switch (k) {
    case Change::added: return "nieuw";
    case Change::changed: return "gewijzigd";
    case Change::renamed: return "hernoemd";
    case Change::removed: return "verwijderd";
  }
  return "";
}

const Document* entry_by_slug(const Corpus& corpus, const std::string& slug) {
  for (const auto& e : corpus.entries) {
    if (e.slug == slug) return &e;
  }
  return nullptr;
}

std::string feed_id(const SiteLinks& links, const std::string& path, const std::string& fallback) {
  // Atom ids must be absolute IRIs; without an absolute base_url fall back to a URN.
  if (links.absolute_base.find("://") != std::string::npos) return links.absolute(path);
  return "urn:lexicon:" + fallback;
}

}  // namespace

const Revision* last_revision(const ContentHistory* history, const std::string& slug) {
  if (!history) return nullptr;
  const EntryHistory* e = history->find(slug);
  if (!e || e->revisions.empty()) return nullptr;
  return &history->commits[e->revisions.front()];
}

void set_entry_history(data& page, const ContentHistory* history, const std::string& slug) {
  data h;
  const EntryHistory* e = history ? history->find(slug) : nullptr;
  bool published = e && !e->revisions.empty();
  h.set("published", published);
  h.set("unpublished", !published);
  h.set("local_changes", published && e->local_changes);
  h.set("no_git", !history || !history->available);
  data revisions = list();
  if (published) {
    const Revision& first = history->commits[e->revisions.back()];
    const Revision& last = history->commits[e->revisions.front()];
    h.set("first_published", dutch_date(first));
    h.set("first_published_iso", iso_date(first));
    h.set("last_changed", dutch_date(last));
    h.set("last_changed_iso", iso_date(last));
    for (std::size_t k = 0; k < e->revisions.size() && k < entry_history_limit; ++k) {
      revisions.push_back(revision_data(history->commits[e->revisions[k]]));
    }
    std::size_t more = e->revisions.size() > entry_history_limit ? e->revisions.size() - entry_history_limit : 0;
    h.set("has_more", more > 0);
    h.set("more", more > 0 ? fmt::format("en {} eerdere wijziging{}", more, more == 1 ? "" : "en") : std::string());
  }
  h.set("revisions", revisions);
  page.set("history", h);
}

void set_citation(data& page, const Document& entry, const SiteConfig& config, const Revision* last,
                  const std::string& stable_url) {
  std::vector<std::string> authors = entry.authors;
  bool group_author = authors.empty();
  if (authors.empty()) authors = config.editors;
  if (authors.empty()) authors = {"Redactie " + config.title};

  // APA 7, entry in an online reference work, dated by the entry's own last commit.
  std::string date = last ? fmt::format("{}, {}", year_of(*last), dutch_date(*last).substr(0, dutch_date(*last).rfind(' ')))
                          : std::string("z.d.");
  std::string version = last ? fmt::format(" (versie {})", last->short_id) : std::string();
  std::string apa = html_escape(with_period(apa_authors(authors))) + " (" + html_escape(date) + "). " +
                    html_escape(entry.title) + html_escape(version) + ". In <cite>" + html_escape(config.title) +
                    "</cite>. <a href=\"" + html_escape(stable_url) + "\">" + html_escape(stable_url) + "</a>";
  page.set("cite_apa_html", apa);

  static const char* const months[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                       "jul", "aug", "sep", "oct", "nov", "dec"};
  std::string bib_authors;
  for (std::size_t i = 0; i < authors.size(); ++i) {
    if (i > 0) bib_authors += " and ";
    // A group name (the editors) must not be split into first and last names.
    bib_authors += group_author ? "{" + bibtex_escape(authors[i]) + "}" : bibtex_escape(authors[i]);
  }
  std::string bib = fmt::format("@misc{{{},\n", entry.slug);
  bib += fmt::format("  author       = {{{}}},\n", bib_authors);
  bib += fmt::format("  title        = {{{}}},\n", bibtex_escape(entry.title));
  bib += fmt::format("  howpublished = {{In: {}}},\n", bibtex_escape(config.title));
  if (last) {
    bib += fmt::format("  year         = {{{}}},\n", year_of(*last));
    bib += fmt::format("  month        = {},\n", months[month_of(*last) - 1]);
    bib += fmt::format("  note         = {{Versie {} van {}}},\n", last->short_id, iso_date(*last));
  } else {
    bib += "  note         = {Nog niet gepubliceerd},\n";
  }
  bib += fmt::format("  url          = {{{}}}\n}}", bibtex_escape(stable_url));
  page.set("cite_bibtex", bib);
  page.set("cite_date", last ? dutch_date(*last) : std::string());
  page.set("cite_version", last ? last->short_id : std::string());
}

std::string bibtex_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '\\': out += "\\textbackslash{}"; break;
      case '{': out += "\\{"; break;
      case '}': out += "\\}"; break;
      case '&': case '%': case '$': case '#': case '_': out += '\\'; out += c; break;
      case '~': out += "\\textasciitilde{}"; break;
      case '^': out += "\\textasciicircum{}"; break;
      case '\n': out += ' '; break;
      default: out += c;
    }
  }
  return out;
}

data recent_data(const ContentHistory& history, const Corpus& corpus, const SiteLinks& links) {
  data rows = list();
  std::size_t n = 0;
  for (const Change& c : history.changes) {
    if (n++ >= recent_limit) break;
    const Revision& r = history.commits[c.commit];
    data row = revision_data(r);
    row.set("kind", kind_label(c.kind));
    row.set("old_slug", c.old_slug);
    row.set("has_old_slug", !c.old_slug.empty());
    if (c.kind == Change::removed) {
      std::string title = c.slug;
      for (const auto& rem : history.removed) {
        if (rem.slug == c.slug && !rem.title.empty()) title = rem.title;
      }
      row.set("title", title);
      row.set("url", links.url(entry_path(c.slug)));
    } else {
      const Document* e = entry_by_slug(corpus, c.slug);
      row.set("title", e ? e->title : c.slug);
      row.set("url", links.url(entry_path(c.slug)));
    }
    rows.push_back(row);
  }
  data d;
  d.set("changes", rows);
  d.set("has_changes", !history.changes.empty());
  d.set("no_git", !history.available);
  return d;
}

data feed_data(const ContentHistory& history, const Corpus& corpus, const SiteLinks& links) {
  data entries = list();
  std::string updated;
  std::size_t n = 0;
  for (const Change& c : history.changes) {
    if (c.kind == Change::removed) continue;
    const Document* e = entry_by_slug(corpus, c.slug);
    if (!e) continue;
    if (n++ >= feed_limit) break;
    const Revision& r = history.commits[c.commit];
    if (updated.empty()) updated = rfc3339(r);
    data item;
    item.set("title", e->title);
    item.set("link", links.absolute(entry_path(e->slug)));
    item.set("id", feed_id(links, entry_path(e->slug) + "#versie-" + r.id, e->slug + ":" + r.id));
    item.set("updated", rfc3339(r));
    item.set("author", r.author.empty() ? std::string("onbekend") : r.author);
    item.set("subject", r.subject);
    item.set("kind", kind_label(c.kind));
    item.set("summary", e->summary);
    entries.push_back(item);
  }
  data d;
  d.set("title", corpus.config.title + " – recente wijzigingen");
  d.set("id", feed_id(links, "feed.xml", "feed"));
  d.set("self", links.absolute("feed.xml"));
  d.set("home", links.absolute(""));
  d.set("lang", corpus.config.language);
  // A feed without history still needs a fixed <updated>; the epoch keeps builds identical.
  d.set("updated", updated.empty() ? std::string("1970-01-01T00:00:00Z") : updated);
  d.set("entries", entries);
  return d;
}

data removed_data(const RemovedEntry& removed, const ContentHistory& history, const Corpus& corpus,
                  const LinkGraph& graph, const SiteLinks& links) {
  data d;
  d.set("title", removed.title.empty() ? removed.slug : removed.title);
  const Revision& r = history.commits[removed.removed_in];
  d.set("removed_date", dutch_date(r));
  d.set("removed_date_iso", iso_date(r));
  d.set("subject", r.subject);
  d.set("short_id", r.short_id);
  data related = list();
  std::vector<int> seen;
  for (const auto& name : removed.related) {
    int owner = find_name(graph.entry_by_name, fold(trim(name)));
    if (owner < 0) owner = find_name(graph.entry_by_name, slugify(name));
    if (owner < 0 || std::find(seen.begin(), seen.end(), owner) != seen.end()) continue;
    seen.push_back(owner);
    const auto& e = corpus.entries[static_cast<std::size_t>(owner)];
    data item;
    item.set("title", e.title);
    item.set("url", links.url(entry_path(e.slug)));
    item.set("summary", e.summary);
    related.push_back(item);
  }
  d.set("related", related);
  d.set("has_related", !seen.empty());
  d.set("az_url", links.url("a-z/"));
  return d;
}

}  // namespace lexicon
