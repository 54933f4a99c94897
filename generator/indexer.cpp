#include "indexer.h"

#include <set>

#include <nlohmann/json.hpp>
#include <xapian.h>

#include "analysis.h"
#include "search_schema.h"
#include "text.h"

namespace lexicon {

namespace {

struct DocumentBuilder {
  const Analyzer& analyzer;
  Xapian::Document doc;
  std::set<std::string> spelling_words;

  void add_text(const std::string& text, unsigned weight, bool name) {
    for (const auto& token : tokenize(text)) {
      for (const auto& term : analyzer.terms(token)) doc.add_term(term, weight);
      if (name) doc.add_term(std::string(schema::name_word) + token.folded, weight);
      if (token.folded.size() >= 3) spelling_words.insert(token.folded);
    }
  }

  void add_name(const std::string& name, unsigned weight) {
    add_text(name, weight, true);
    std::string whole;
    for (const auto& token : tokenize(name)) whole += (whole.empty() ? "" : " ") + token.folded;
    // wdf 1 (not boolean) so the term carries weight when the query boosts it.
    if (!whole.empty() && whole.size() < 200) doc.add_term(std::string(schema::whole_name) + whole, 1);
  }
};

}  // namespace

void build_index(const ParsedCorpus& parsed, const LinkGraph& graph, const std::filesystem::path& index_dir) {
  const Corpus& corpus = parsed.corpus;
  Xapian::WritableDatabase db(index_dir.string(), Xapian::DB_CREATE_OR_OVERWRITE);
  Analyzer analyzer;
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
    DocumentBuilder b{analyzer, {}, {}};
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
    DocumentBuilder b{analyzer, {}, {}};
    b.add_name(p.title, schema::title_weight);
    b.add_text(p.summary, schema::summary_weight, false);
    b.add_text(parsed.page_docs[i].plain_text, schema::body_weight, false);
    nlohmann::json data = {{"title", p.title}, {"url", base + page_path(p.slug)}, {"summary", p.summary},
                           {"themes", nlohmann::json::array()}, {"aliases", nlohmann::json::array()},
                           {"text", parsed.page_docs[i].plain_text}};
    finish(b, schema::type_page, p.slug, data, {});
  }
  for (const auto& s : corpus.sources) {
    DocumentBuilder b{analyzer, {}, {}};
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

}  // namespace lexicon
