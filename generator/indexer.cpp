#include "indexer.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include <nlohmann/json.hpp>
#include <xapian.h>

#include "analysis.h"
#include "search_schema.h"
#include "text.h"

namespace lexicon {

namespace {

// Memoised compound splitting: the same words recur across documents.
struct Splits {
  const CompoundSplitter& splitter;
  std::map<std::string, std::vector<std::string>> cache;
  const std::vector<std::string>& operator()(const std::string& word) {
    auto it = cache.find(word);
    if (it == cache.end()) it = cache.emplace(word, splitter.split(word)).first;
    return it->second;
  }
};

struct DocumentBuilder {
  const Analyzer& analyzer;
  Splits& splits;
  Xapian::Document doc;
  std::set<std::string> spelling_words;

  void add_word(const std::string& folded, unsigned weight, bool name) {
    doc.add_term(folded, weight);
    doc.add_term(std::string(schema::stemmed) + analyzer.stem(folded), weight);
    if (name) {
      doc.add_term(std::string(schema::name_word) + folded, weight);
      doc.add_term(std::string(schema::name_stem) + analyzer.stem(folded), weight);
    }
  }

  // Parts of a compound count for less than the word itself, and not as name words.
  void add_parts(const std::string& folded, unsigned weight) {
    for (const auto& part : splits(folded)) add_word(part, std::max(1u, weight / 2), false);
  }

  void add_text(const std::string& text, unsigned weight, bool name) {
    auto tokens = tokenize(text);
    for (const auto& token : tokens) {
      for (const auto& term : analyzer.terms(token)) doc.add_term(term, weight);
      if (name) {
        doc.add_term(std::string(schema::name_word) + token.folded, weight);
        doc.add_term(std::string(schema::name_stem) + analyzer.stem(token.folded), weight);
      }
      add_parts(token.folded, weight);
      if (token.folded.size() >= 3) spelling_words.insert(token.folded);
    }
    // "reflection-in-action" is also indexed as "reflectioninaction", as students may write it.
    for (const auto& [from, to] : hyphen_groups(tokens)) {
      std::string word = joined(tokens, from, to);
      if (word.size() > 64) continue;
      add_word(word, weight, name);
      add_parts(word, weight);
    }
  }

  void add_name(const std::string& name, unsigned weight) {
    add_text(name, weight, true);
    auto tokens = tokenize(name);
    std::string whole, stems;
    for (const auto& token : tokens) {
      whole += (whole.empty() ? "" : " ") + token.folded;
      stems += (stems.empty() ? "" : " ") + analyzer.stem(token.folded);
    }
    // wdf 1 (not boolean) so the terms carry weight when the query boosts them.
    if (whole.empty() || whole.size() >= 200) return;
    doc.add_term(std::string(schema::whole_name) + whole, 1);
    doc.add_term(std::string(schema::whole_name) + joined(tokens, 0, tokens.size()), 1);
    doc.add_term(std::string(schema::whole_stem) + stems, 1);
  }
};

// The known parts for compound splitting: words of the entries' headwords and aliases, and their stems.
CompoundSplitter known_parts(const Corpus& corpus, const Analyzer& analyzer) {
  CompoundSplitter splitter;
  auto add = [&](const std::string& text) {
    for (const auto& token : tokenize(text)) {
      splitter.add_part(token.folded);
      splitter.add_part(analyzer.stem(token.folded));
    }
  };
  for (const auto& e : corpus.entries) {
    add(e.title);
    for (const auto& a : e.aliases) add(a.text);
  }
  return splitter;
}

}  // namespace

void build_index(const ParsedCorpus& parsed, const LinkGraph& graph, const std::filesystem::path& index_dir) {
  const Corpus& corpus = parsed.corpus;
  Xapian::WritableDatabase db(index_dir.string(), Xapian::DB_CREATE_OR_OVERWRITE);
  Analyzer analyzer;
  CompoundSplitter splitter = known_parts(corpus, analyzer);
  db.set_metadata(schema::metadata_compound_parts, splitter.serialise());
  Splits splits{splitter, {}};
  std::map<std::string, unsigned> spelling;
  const std::string& base = corpus.config.base_path;

  auto finish = [&](DocumentBuilder& b, const std::string& type, const std::string& slug, nlohmann::json data,
                    const std::vector<std::string>& theme_slugs) {
    b.doc.add_boolean_term(std::string(schema::doc_type) + type);
    std::string themes_value;
    for (const auto& t : theme_slugs) {
      b.doc.add_boolean_term(std::string(schema::theme) + t);
      themes_value += (themes_value.empty() ? "" : "\n") + t;
    }
    b.doc.add_value(schema::slot_themes, themes_value);
    b.doc.add_value(schema::slot_type_rank, type == schema::type_entry ? "0" : type == schema::type_page ? "1" : "2");
    std::string id = std::string(schema::unique_id) + type + ":" + slug;
    b.doc.add_boolean_term(id);
    data["type"] = type;
    b.doc.set_data(data.dump());
    db.replace_document(id, b.doc);
    for (const auto& w : b.spelling_words) ++spelling[w];
  };

  std::map<std::string, std::string> theme_names;
  for (const auto& t : corpus.themes) {
    theme_names[t.slug] = t.name;
    db.set_metadata("theme:" + t.slug, t.name);
  }

  for (std::size_t i = 0; i < corpus.entries.size(); ++i) {
    const auto& e = corpus.entries[i];
    DocumentBuilder b{analyzer, splits, {}, {}};
    b.add_name(e.title, schema::title_weight);
    nlohmann::json aliases = nlohmann::json::array();
    for (const auto& a : e.aliases) {
      b.add_name(a.text, schema::alias_weight);
      aliases.push_back(a.text);
    }
    b.add_text(e.summary, schema::summary_weight, false);
    b.add_text(parsed.entry_docs[i].plain_text, schema::body_weight, false);
    nlohmann::json themes = nlohmann::json::array();
    for (const auto& t : e.themes) {
      if (theme_names.count(t)) themes.push_back({{"slug", t}, {"name", theme_names[t]}});
    }
    nlohmann::json data = {{"title", e.title},     {"url", base + entry_path(e.slug)},
                           {"summary", e.summary}, {"themes", themes},
                           {"aliases", aliases},   {"text", parsed.entry_docs[i].plain_text}};
    finish(b, schema::type_entry, e.slug, data, e.themes);
  }
  for (std::size_t i = 0; i < corpus.pages.size(); ++i) {
    const auto& p = corpus.pages[i];
    DocumentBuilder b{analyzer, splits, {}, {}};
    b.add_name(p.title, schema::title_weight);
    b.add_text(p.summary, schema::summary_weight, false);
    b.add_text(parsed.page_docs[i].plain_text, schema::body_weight, false);
    nlohmann::json data = {{"title", p.title}, {"url", base + page_path(p.slug)}, {"summary", p.summary},
                           {"themes", nlohmann::json::array()}, {"aliases", nlohmann::json::array()},
                           {"text", parsed.page_docs[i].plain_text}};
    finish(b, schema::type_page, p.slug, data, {});
  }
  for (const auto& s : corpus.sources) {
    DocumentBuilder b{analyzer, splits, {}, {}};
    std::string authors;
    for (const auto& a : s.authors) authors += (authors.empty() ? "" : "; ") + a;
    b.add_text(s.title, schema::alias_weight, true);  // no whole-name term: entries own exact matches
    b.add_text(authors, schema::title_weight, true);
    b.add_text(s.container + " " + s.publisher + " " + s.year, schema::body_weight, false);
    std::string citing_text;
    nlohmann::json citing = nlohmann::json::array();
    if (auto it = graph.citing.find(s.key); it != graph.citing.end()) {
      for (int idx : it->second) {
        const auto& e = corpus.entries[static_cast<std::size_t>(idx)];
        citing.push_back({{"title", e.title}, {"url", base + entry_path(e.slug)}});
        citing_text += (citing_text.empty() ? "" : ", ") + e.title;
      }
    }
    std::string title = authors.empty() ? s.title : authors + " (" + (s.year.empty() ? "z.j." : s.year) + "). " + s.title;
    std::string text = citing_text.empty() ? title : title + ". Aangehaald in: " + citing_text + ".";
    nlohmann::json data = {{"title", title}, {"url", base + "bronnen/#bron-" + slugify(s.key)},
                           {"summary", citing_text.empty() ? "" : "Aangehaald in: " + citing_text},
                           {"themes", nlohmann::json::array()}, {"aliases", nlohmann::json::array()},
                           {"citing", citing}, {"text", text}};
    finish(b, schema::type_source, s.key, data, {});
  }
  for (const auto& [word, freq] : spelling) db.add_spelling(word, freq);
  db.commit();
}

EntryTermIndex index_entry_terms(const ParsedCorpus& parsed) {
  EntryTermIndex out{Xapian::WritableDatabase(std::string(), Xapian::DB_BACKEND_INMEMORY), {}};
  Analyzer analyzer;
  // Stemming is the cost here, and the same words recur across entries.
  std::unordered_map<std::string, std::string> stems;
  std::unordered_map<std::string, std::unordered_map<std::string, unsigned>> written;  // term -> form -> count
  auto add = [&](Xapian::Document& doc, const std::string& text, unsigned weight) {
    for (const auto& token : tokenize(text)) {
      auto it = stems.find(token.folded);
      if (it == stems.end()) it = stems.emplace(token.folded, std::string(schema::stemmed) + analyzer.stem(token.folded)).first;
      doc.add_term(it->second, weight);
      ++written[it->second][token.lower];
    }
  };
  const auto& entries = parsed.corpus.entries;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    Xapian::Document doc;
    add(doc, entries[i].title, schema::title_weight);
    for (const auto& a : entries[i].aliases) add(doc, a.text, schema::alias_weight);
    add(doc, entries[i].summary, schema::summary_weight);
    add(doc, parsed.entry_docs[i].plain_text, schema::body_weight);
    out.db.replace_document(static_cast<Xapian::docid>(i + 1), doc);
  }
  for (const auto& [term, forms] : written) {
    const std::pair<const std::string, unsigned>* best = nullptr;
    for (const auto& f : forms) {
      if (!best || f.second > best->second || (f.second == best->second && f.first < best->first)) best = &f;
    }
    out.surface.emplace(term, best->first);
  }
  return out;
}

}  // namespace lexicon
