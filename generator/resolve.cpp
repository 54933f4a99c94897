#include "resolve.h"

#include <stdexcept>

#include <algorithm>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "collation.h"
#include "text.h"

namespace lexicon {

std::string entry_path(const std::string& slug) { return "begrippen/" + slug + "/"; }
std::string theme_path(const std::string& slug) { return "themas/" + slug + "/"; }
std::string page_path(const std::string& slug) { return slug + "/"; }

bool is_reserved_page_slug(const std::string& slug) {
  static const std::set<std::string> reserved = {"begrippen", "themas", "a-z", "bronnen", "zoeken", "api",
                                                 "static", "media", "404", "sitemap", "feed", "skos", "recent"};
  return reserved.count(slug) > 0;
}

ParsedCorpus parse_corpus(Corpus corpus, int jobs, Diagnostics& diagnostics, const ReuseMarkdown& reuse) {
  ParsedCorpus parsed;
  std::size_t n_entries = corpus.entries.size();
  std::size_t total = n_entries + corpus.pages.size();
  std::vector<MarkdownDoc> docs(total);
  std::vector<Diagnostics> local(total);
  auto doc_at = [&](std::size_t i) -> const Document& {
    return i < n_entries ? corpus.entries[i] : corpus.pages[i - n_entries];
  };
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i; (i = next++) < total;) {
      const Document& d = doc_at(i);
      if (reuse) {
        if (auto known = reuse(d)) {
          docs[i] = std::move(*known);
          continue;
        }
      }
      docs[i] = parse_markdown(d.body, d.path, d.text, d.body_first_line, local[i]);
      drop_tree(docs[i]);  // render parses the body again: a corpus of trees does not fit in memory
    }
  };
  std::vector<std::thread> threads;
  for (int t = 1; t < std::max(1, jobs); ++t) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  for (auto& l : local) {
    for (auto& item : l.items) diagnostics.items.push_back(std::move(item));
  }
  parsed.entry_docs.assign(std::make_move_iterator(docs.begin()), std::make_move_iterator(docs.begin() + static_cast<long>(n_entries)));
  parsed.page_docs.assign(std::make_move_iterator(docs.begin() + static_cast<long>(n_entries)), std::make_move_iterator(docs.end()));
  parsed.corpus = std::move(corpus);
  return parsed;
}

namespace {

struct Resolver {
  const ParsedCorpus& parsed;
  Diagnostics& diagnostics;
  LinkGraph graph;
  std::map<std::string, int> page_by_name;
  // Display names for "bedoeld: ...?", made on the first unknown name (20,000 strings at 10,000 entries,
  // for a build that usually has none).
  std::optional<std::vector<std::string>> suggestion_pool;

  const Corpus& corpus() const { return parsed.corpus; }

  void at(const Document& d, const std::string& field, std::size_t item, bool error, const std::string& message) {
    Document with_positions;
    if (d.positions_deferred) {
      if (!parsed.deferred_positions) throw std::logic_error("positions deferred without a source: " + d.path);
      with_positions = parsed.deferred_positions(d);
    }
    const Document& positioned = d.positions_deferred ? with_positions : d;
    Position p;
    auto it = positioned.item_positions.find(field);
    if (it != positioned.item_positions.end() && item < it->second.size()) p = it->second[item];
    else if (auto f = positioned.field_positions.find(field); f != positioned.field_positions.end()) p = f->second;
    std::string line = line_of(d.text, p.line);
    if (error) diagnostics.error(d.path, p.line, p.column, message, line);
    else diagnostics.warning(d.path, p.line, p.column, message, line);
  }

  void index_names() {
    // First the slugs and titles, then aliases, so a clash names the later definition.
    const auto& entries = corpus().entries;
    std::size_t names = entries.size() * 3;
    for (const auto& e : entries) names += e.aliases.size();
    reserve_names(graph.entry_by_name, names);
    // Which name of `owner` claimed `key` first, in the order below: only a clash needs to say (the
    // description was formatted for every name before, a tenth of resolving 10,000 entries).
    auto first_claim = [&](const std::string& key, int owner) -> std::string {
      const Document& o = entries[static_cast<std::size_t>(owner)];
      if (fold(trim(o.slug)) == key) return "slug van " + o.path;
      if (fold(trim(o.title)) == key || fold(trim(slugify(o.title))) == key) return "titel van " + o.path;
      return "alias van " + o.path;
    };
    auto claim = [&](const std::string& name, int entry, const Document& d, const std::string& field, std::size_t item,
                     const std::string& what) {
      std::string key = fold(trim(name));
      if (key.empty()) return true;
      int owner = claim_name(graph.entry_by_name, key, entry);
      if (owner == entry) return true;
      at(d, field, item, true, fmt::format("{} '{}' bestaat al: {}", what, name, first_claim(key, owner)));
      return false;
    };
    for (std::size_t i = 0; i < entries.size(); ++i) claim(entries[i].slug, static_cast<int>(i), entries[i], "title", 0, "slug");
    for (std::size_t i = 0; i < entries.size(); ++i) {
      // The slug form only after the title itself was free, so one clash is reported once.
      if (claim(entries[i].title, static_cast<int>(i), entries[i], "title", 0, "titel")) {
        claim(slugify(entries[i].title), static_cast<int>(i), entries[i], "title", 0, "titel");
      }
    }
    for (std::size_t i = 0; i < entries.size(); ++i) {
      for (std::size_t a = 0; a < entries[i].aliases.size(); ++a) {
        claim(entries[i].aliases[a].text, static_cast<int>(i), entries[i], "aliases", a, "alias");
      }
    }
    for (std::size_t i = 0; i < corpus().pages.size(); ++i) {
      const auto& p = corpus().pages[i];
      page_by_name[p.slug] = static_cast<int>(i);
      page_by_name[fold(p.title)] = static_cast<int>(i);
      if (is_reserved_page_slug(p.slug)) {
        diagnostics.error(p.path, 0, 0, fmt::format("de paginanaam '{}' is gereserveerd; kies een andere bestandsnaam", p.slug));
      }
    }
  }

  LinkTarget lookup(const std::string& name) const {
    std::string key = fold(name);
    if (int owner = find_name(graph.entry_by_name, key); owner >= 0) return {LinkTarget::entry, owner, {}};
    if (int owner = find_name(graph.entry_by_name, slugify(name)); owner >= 0) return {LinkTarget::entry, owner, {}};
    if (auto it = page_by_name.find(key); it != page_by_name.end()) return {LinkTarget::page, it->second, {}};
    return {};
  }

  std::string suggest(const std::string& name) {
    std::string key = fold(name);
    std::size_t limit = std::max<std::size_t>(2, count_code_points(key) / 3);
    if (!suggestion_pool) {
      auto& pool = suggestion_pool.emplace();
      for (const auto& e : corpus().entries) {
        pool.push_back(e.slug);
        pool.push_back(fold(e.title));
      }
      for (const auto& p : corpus().pages) {
        if (find_name(graph.entry_by_name, p.slug) < 0) pool.push_back(p.slug);
      }
    }
    return nearest(key, *suggestion_pool, limit);
  }

  std::vector<LinkTarget> resolve_links(const Document& d, const MarkdownDoc& doc, int self_entry) {
    std::vector<LinkTarget> out;
    for (const auto& ref : doc.links) {
      LinkTarget t = ref.target.empty() ? LinkTarget{self_entry >= 0 ? LinkTarget::entry : LinkTarget::none, self_entry, {}}
                                        : lookup(ref.target);
      t.anchor = ref.anchor;
      // Formatted only for a diagnostic: most links have none.
      auto shown = [&] { return "[[" + ref.target + (ref.anchor.empty() ? "" : "#" + ref.anchor) + "]]"; };
      if (t.kind == LinkTarget::none) {
        std::string guess = suggest(ref.target);
        diagnostics.error(d.path, ref.line, ref.column,
                          guess.empty() ? fmt::format("onbekende verwijzing {}", shown())
                                        : fmt::format("onbekende verwijzing {}; bedoeld: [[{}]]?", shown(), guess),
                          line_of(d.text, ref.line));
      } else {
        if (!ref.anchor.empty()) {
          const auto& target_doc = t.kind == LinkTarget::entry ? parsed.entry_docs[static_cast<std::size_t>(t.index)]
                                                               : parsed.page_docs[static_cast<std::size_t>(t.index)];
          bool found = std::any_of(target_doc.headings.begin(), target_doc.headings.end(),
                                   [&](const Heading& h) { return h.id == ref.anchor || h.id == slugify(ref.anchor); });
          if (!found) {
            std::vector<std::string> ids;
            for (const auto& h : target_doc.headings) ids.push_back(h.id);
            std::string guess = nearest(slugify(ref.anchor), ids, 3);
            diagnostics.error(d.path, ref.line, ref.column,
                              guess.empty() ? fmt::format("onbekend kopje '#{}' in {}", ref.anchor, shown())
                                            : fmt::format("onbekend kopje '#{}' in {}; bedoeld: '#{}'?", ref.anchor, shown(), guess),
                              line_of(d.text, ref.line));
          } else {
            t.anchor = slugify(ref.anchor);
            for (const auto& h : target_doc.headings) if (h.id == ref.anchor) t.anchor = h.id;
          }
        }
        if (t.kind == LinkTarget::entry && t.index == self_entry && !ref.target.empty()) {
          diagnostics.warning(d.path, ref.line, ref.column, fmt::format("{} verwijst naar dit begrip zelf", shown()),
                              line_of(d.text, ref.line));
        }
      }
      out.push_back(t);
    }
    for (const auto& c : doc.citations) {
      if (!graph.source_index.count(c.key)) {
        std::vector<std::string> keys;
        for (const auto& s : corpus().sources) keys.push_back(s.key);
        std::string guess = nearest(c.key, keys, 3);
        diagnostics.error(d.path, c.line, c.column,
                          guess.empty() ? fmt::format("onbekende bron [@{}]", c.key)
                                        : fmt::format("onbekende bron [@{}]; bedoeld: [@{}]?", c.key, guess),
                          line_of(d.text, c.line));
      }
    }
    for (const auto& img : doc.images) {
      std::string url = img.url;
      if (url.starts_with("../")) url = url.substr(3);
      if (url.starts_with("media/")) {
        std::string rel = url.substr(6);
        if (!std::binary_search(corpus().media.begin(), corpus().media.end(), rel)) {
          diagnostics.error(d.path, img.line, img.column, fmt::format("afbeelding '{}' bestaat niet in content/media/", rel),
                            line_of(d.text, img.line));
        }
      }
    }
    return out;
  }

  void run() {
    const auto& entries = corpus().entries;
    for (std::size_t i = 0; i < corpus().sources.size(); ++i) graph.source_index[corpus().sources[i].key] = static_cast<int>(i);
    index_names();
    std::set<std::string> theme_slugs;
    std::vector<std::string> theme_list;
    for (const auto& t : corpus().themes) {
      theme_slugs.insert(t.slug);
      theme_list.push_back(t.slug);
      graph.theme_entries[t.slug];
    }
    graph.outgoing.resize(entries.size());
    graph.incoming.resize(entries.size());
    graph.related.resize(entries.size());
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const auto& d = entries[i];
      graph.entry_links.push_back(resolve_links(d, parsed.entry_docs[i], static_cast<int>(i)));
      auto& outgoing = graph.outgoing[i];  // a handful per entry: a linear search beats a set's allocations
      for (const auto& t : graph.entry_links.back()) {
        if (t.kind == LinkTarget::entry && t.index != static_cast<int>(i) &&
            std::find(outgoing.begin(), outgoing.end(), t.index) == outgoing.end()) {
          outgoing.push_back(t.index);
          graph.incoming[static_cast<std::size_t>(t.index)].push_back(static_cast<int>(i));
        }
      }
      for (std::size_t k = 0; k < d.themes.size(); ++k) {
        if (!theme_slugs.count(d.themes[k])) {
          std::string guess = nearest(d.themes[k], theme_list, 3);
          at(d, "themes", k, true, guess.empty() ? fmt::format("onbekend thema '{}'", d.themes[k])
                                                 : fmt::format("onbekend thema '{}'; bedoeld: '{}'?", d.themes[k], guess));
        } else {
          graph.theme_entries[d.themes[k]].push_back(static_cast<int>(i));
        }
      }
      for (std::size_t k = 0; k < d.related.size(); ++k) {
        LinkTarget t = lookup(d.related[k]);
        if (t.kind != LinkTarget::entry) {
          std::string guess = suggest(d.related[k]);
          at(d, "related", k, true, guess.empty() ? fmt::format("onbekend begrip '{}' in related", d.related[k])
                                                  : fmt::format("onbekend begrip '{}' in related; bedoeld: '{}'?", d.related[k], guess));
        } else if (t.index != static_cast<int>(i) &&
                   std::find(graph.related[i].begin(), graph.related[i].end(), t.index) == graph.related[i].end()) {
          graph.related[i].push_back(t.index);
        }
      }
      // Each known source once, however often the entry cites it (at most the bibliography's size, so a
      // linear search stays cheap even for a file full of unknown keys).
      std::vector<const std::string*> cited;
      auto cite = [&](const std::string& key) {
        auto it = graph.source_index.find(key);
        if (it == graph.source_index.end()) return;
        if (std::find(cited.begin(), cited.end(), &it->first) == cited.end()) cited.push_back(&it->first);
      };
      for (const auto& c : parsed.entry_docs[i].citations) cite(c.key);
      for (std::size_t k = 0; k < d.sources.size(); ++k) {
        if (!graph.source_index.count(d.sources[k])) {
          std::vector<std::string> keys;
          for (const auto& s : corpus().sources) keys.push_back(s.key);
          std::string guess = nearest(d.sources[k], keys, 3);
          at(d, "sources", k, true, guess.empty() ? fmt::format("onbekende bron '{}'", d.sources[k])
                                                  : fmt::format("onbekende bron '{}'; bedoeld: '{}'?", d.sources[k], guess));
        }
        cite(d.sources[k]);
      }
      for (const std::string* key : cited) graph.citing[*key].push_back(static_cast<int>(i));
    }
    for (std::size_t i = 0; i < corpus().pages.size(); ++i) {
      graph.page_links.push_back(resolve_links(corpus().pages[i], parsed.page_docs[i], -1));
    }
    std::vector<std::string>& sort_keys = graph.title_keys;
    sort_keys.reserve(entries.size());
    for (const auto& e : entries) sort_keys.push_back(collation_key(e.title));
    auto by_title = [&](int a, int b) { return sort_keys[static_cast<std::size_t>(a)] < sort_keys[static_cast<std::size_t>(b)]; };
    for (auto& list : graph.incoming) std::sort(list.begin(), list.end(), by_title);
    for (auto& [slug, list] : graph.theme_entries) std::sort(list.begin(), list.end(), by_title);
    for (auto& [key, list] : graph.citing) std::sort(list.begin(), list.end(), by_title);
    for (std::size_t i = 0; i < entries.size(); ++i) {
      if (graph.incoming[i].empty() && entries.size() > 1) {
        diagnostics.warning(entries[i].path, 0, 0, "wees: geen enkel ander begrip verwijst hiernaar");
      }
      if (graph.outgoing[i].empty() && entries.size() > 1) {
        diagnostics.warning(entries[i].path, 0, 0, "dit begrip verwijst naar geen enkel ander begrip ([[...]])");
      }
    }
  }
};

}  // namespace

const std::string& plain_text_of(const ParsedCorpus& parsed, const Document& document, const MarkdownDoc& doc,
                                 std::string& scratch) {
  if (!doc.plain_text_deferred) return doc.plain_text;
  if (!parsed.deferred_plain_text) throw std::logic_error("plain text deferred without a source: " + document.path);
  scratch = parsed.deferred_plain_text(document);
  return scratch;
}

LinkGraph resolve(const ParsedCorpus& parsed, Diagnostics& diagnostics) {
  Resolver r{parsed, diagnostics, {}, {}, {}};
  r.run();
  return std::move(r.graph);
}

}  // namespace lexicon
