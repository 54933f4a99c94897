#include "search.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

#include "analysis.h"
#include "escape.h"
#include "facets.h"
#include "match_count.h"
#include "search_schema.h"
#include "text.h"

namespace lexicon {

namespace {

// Counts each theme of a multi-theme document once, so facet counts stay correct. Counts whole
// values first (few distinct theme combinations) and splits them once at the end: this runs for
// every matching document.
class ThemeCounter : public Xapian::MatchSpy {
 public:
  void operator()(const Xapian::Document& doc, double) override { ++by_value_[doc.get_value(schema::slot_themes)]; }

  std::map<std::string, std::size_t> counts() const {
    std::map<std::string, std::size_t> out;
    for (const auto& [value, n] : by_value_) {
      for (const auto& theme : split_lines(value)) out[theme] += n;
    }
    return out;
  }

 private:
  std::unordered_map<std::string, std::size_t> by_value_;
};

Xapian::Query scaled(Xapian::Query q, double factor) { return Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, q, factor); }

// The same counts from the index's theme table (facets.h): no document is read.
class ThemeTableCounter : public Xapian::MatchSpy {
 public:
  explicit ThemeTableCounter(const ThemeTable& table) : table_(table) {}
  void operator()(const Xapian::Document& doc, double) override {
    for (std::uint64_t m = table_.mask(doc.get_docid()); m != 0; m &= m - 1) ++bits_[std::countr_zero(m)];
  }
  std::map<std::string, std::size_t> counts() const {
    std::map<std::string, std::size_t> out;
    for (std::size_t k = 0; k < table_.themes().size(); ++k) {
      if (bits_[k] > 0) out[table_.themes()[k]] = bits_[k];
    }
    return out;
  }

 private:
  const ThemeTable& table_;
  std::array<std::size_t, 64> bits_{};
};

// Builds the Xapian query for a list of query words with the same analysis the indexer used.
class QueryBuilder {
 public:
  QueryBuilder(const Xapian::Database& db, const Analyzer& analyzer, const CompoundSplitter& splitter)
      : db_(db), analyzer_(analyzer), splitter_(splitter) {}

  // Folded words a snippet should highlight: the query words and every form they were expanded to.
  std::vector<std::string> highlight;

  // The same match set as build(), without what only ranks: the name boosts, and the terms every
  // document with the word's stem term also has (the indexer adds folded, exact and name-stem terms
  // only together with the stem term), so counting all matches visits far fewer postings.
  Xapian::Query matching(const std::vector<Token>& tokens, Xapian::Query::op combine) {
    std::vector<std::string> kept = highlight;
    match_only_ = true;
    Xapian::Query q = build(tokens, combine);
    match_only_ = false;
    highlight = std::move(kept);
    return q;
  }

  Xapian::Query build(const std::vector<Token>& tokens, Xapian::Query::op combine) {
    highlight.clear();
    std::vector<Xapian::Query> units;
    // A question ("wat is presentie", "hoe werk je met zorgmijders") is about its other words; a query
    // of function words only ("de", "wat is het") keeps them all.
    struct Group {
      std::size_t first, span;
      std::string joined;  // the one indexed word a span of several tokens forms
    };
    std::vector<Group> groups;
    bool any_content_word = false;
    for (std::size_t i = 0; i < tokens.size(); i += groups.back().span) {
      std::size_t span = join_span(tokens, i);
      groups.push_back({i, span, joined_form_});
      any_content_word = any_content_word || span > 1 || !is_query_stopword(tokens[i].folded);
    }
    for (const auto& [i, span, joined_form] : groups) {
      if (span == 1 && any_content_word && is_query_stopword(tokens[i].folded)) continue;
      if (span > 1) {
        // "praktijk leren" also looks for "praktijkleren", "reflection in action" for "reflection-in-action".
        Token whole;
        whole.folded = whole.lower = joined_form;
        std::vector<Xapian::Query> separate;
        for (std::size_t k = i; k < i + span; ++k) separate.push_back(word(tokens[k]));
        units.emplace_back(Xapian::Query::OP_OR, scaled(word(whole), 2.0),
                           Xapian::Query(Xapian::Query::OP_AND, separate.begin(), separate.end()));
      } else {
        units.push_back(word(tokens[i]));
      }
    }
    Xapian::Query main(combine, units.begin(), units.end());
    if (match_only_) return main;
    if (combine == Xapian::Query::OP_OR && units.size() > 1) {
      // Any word may match, but documents with all of them still come first.
      main = Xapian::Query(Xapian::Query::OP_OR, main, Xapian::Query(Xapian::Query::OP_AND, units.begin(), units.end()));
    }
    // An exact title or alias match ranks first; as stems ("botsend belang") a little lower.
    std::string spaced, stems;
    for (const auto& t : tokens) {
      spaced += (spaced.empty() ? "" : " ") + t.folded;
      stems += (stems.empty() ? "" : " ") + analyzer_.stem(t.folded);
    }
    std::vector<Xapian::Query> names{Xapian::Query(std::string(schema::whole_name) + spaced)};
    if (tokens.size() > 1) names.emplace_back(std::string(schema::whole_name) + joined(tokens, 0, tokens.size()));
    Xapian::Query exact(Xapian::Query::OP_SYNONYM, names.begin(), names.end());
    Xapian::Query boost(Xapian::Query::OP_OR, scaled(exact, 40),
                        scaled(Xapian::Query(std::string(schema::whole_stem) + stems), 20));
    return Xapian::Query(Xapian::Query::OP_AND_MAYBE, main, boost);
  }

 private:
  const Xapian::Database& db_;
  const Analyzer& analyzer_;
  const CompoundSplitter& splitter_;
  std::string joined_form_;
  bool match_only_ = false;

  bool known(const std::string& folded) const { return db_.term_exists(folded); }

  // How many words from position i form one indexed word when written together (1: none).
  std::size_t join_span(const std::vector<Token>& tokens, std::size_t i) {
    for (std::size_t span = std::min<std::size_t>(4, tokens.size() - i); span > 1; --span) {
      std::string w = joined(tokens, i, i + span);
      if (w.size() > 64) continue;
      if (known(w)) {
        joined_form_ = w;
        return span;
      }
      if (span == 2) {
        // Dutch compounds often link with -s-: "ervarings kennis", "handeling verlegenheid".
        std::string linked = tokens[i].folded + "s" + tokens[i + 1].folded;
        if (tokens[i].folded.back() != 's' && known(linked)) {
          joined_form_ = linked;
          return span;
        }
      }
    }
    return 1;
  }

  Xapian::Query basic(const Token& t) {
    highlight.push_back(t.folded);
    std::string stem = analyzer_.stem(t.folded);
    if (match_only_) return Xapian::Query(std::string(schema::stemmed) + stem);
    std::vector<Xapian::Query> extras;
    extras.push_back(scaled(Xapian::Query(t.folded), 1.5));
    // A word of a title or alias counts extra, so the entry that owns an alias or English term ranks first.
    extras.emplace_back(std::string(schema::name_stem) + stem);
    if (t.lower != t.folded) {
      // The exact spelling, when typed with diacritics, ranks a little higher.
      extras.push_back(scaled(Xapian::Query(std::string(schema::exact) + t.lower), 0.5));
    }
    // Every document with one of the extra terms has the stem term too (see matching()), so this
    // weighs exactly as an OR of all four, but the extras are only looked up for documents the rest
    // of the query still wants.
    return Xapian::Query(Xapian::Query::OP_AND_MAYBE, Xapian::Query(std::string(schema::stemmed) + stem),
                         Xapian::Query(Xapian::Query::OP_OR, extras.begin(), extras.end()));
  }

  Xapian::Query word(const Token& t) {
    std::vector<Xapian::Query> alternatives{basic(t)};
    // Derived and inflected forms of headwords and aliases: "zorgmijders" ~ "zorgmijding".
    std::vector<Xapian::Query> related;
    if (t.folded.size() >= 6) {
      std::string prefix = std::string(schema::name_word) + t.folded.substr(0, 6);
      for (auto it = db_.allterms_begin(prefix); it != db_.allterms_end(prefix) && related.size() < 8; ++it) {
        std::string candidate = (*it).substr(1);
        if (!is_related_form(t.folded, candidate)) continue;
        related.emplace_back(*it);
        highlight.push_back(candidate);
      }
    }
    if (!related.empty()) {
      alternatives.push_back(scaled(Xapian::Query(Xapian::Query::OP_SYNONYM, related.begin(), related.end()), 0.7));
    }
    // A compound the texts do not contain is looked for as its known parts: "zorgrelatie" -> zorg + relatie.
    if (!known(t.folded)) {
      auto parts = splitter_.split(t.folded);
      if (!parts.empty()) {
        std::vector<Xapian::Query> each;
        for (const auto& p : parts) {
          Token pt;
          pt.folded = pt.lower = p;
          each.push_back(basic(pt));
        }
        alternatives.push_back(scaled(Xapian::Query(Xapian::Query::OP_AND, each.begin(), each.end()), 0.5));
      }
    }
    if (alternatives.size() == 1) return alternatives.front();
    return Xapian::Query(Xapian::Query::OP_OR, alternatives.begin(), alternatives.end());
  }
};

// Whether the lexicon contains the word at all, as written or as a stem.
bool in_lexicon(const Xapian::Database& db, const Analyzer& analyzer, const std::string& folded) {
  return db.term_exists(folded) || db.term_exists(std::string(schema::stemmed) + analyzer.stem(folded));
}

// Replaces words the lexicon does not contain by the nearest word it does contain.
std::vector<Token> correct(const Xapian::Database& db, const Analyzer& analyzer, const std::vector<Token>& tokens,
                           bool& changed) {
  changed = false;
  std::vector<Token> out = tokens;
  for (auto& t : out) {
    if (t.folded.size() < 3 || in_lexicon(db, analyzer, t.folded)) continue;
    std::string suggestion = db.get_spelling_suggestion(t.folded, t.folded.size() >= 6 ? 2 : 1);
    if (!suggestion.empty() && suggestion != t.folded) {
      t.folded = suggestion;
      t.lower = suggestion;
      changed = true;
    }
  }
  return out;
}

std::string join_words(const std::vector<Token>& tokens) {
  std::string out;
  for (const auto& t : tokens) out += (out.empty() ? "" : " ") + t.folded;
  return out;
}

}  // namespace

SnippetMatcher::SnippetMatcher(const std::vector<std::string>& query_words)
    : folded_(query_words.begin(), query_words.end()) {
  for (const auto& w : query_words) stems_.insert(analyzer_.stem(w));
}

bool SnippetMatcher::matches(std::string_view folded_word) {
  if (folded_.find(folded_word) != folded_.end()) return true;
  // Texts repeat their words, and the hits of one query share most of them: stem each word once.
  if (auto it = verdicts_.find(folded_word); it != verdicts_.end()) return it->second;
  std::string word(folded_word);
  bool verdict = stems_.count(analyzer_.stem(word)) > 0;
  verdicts_.emplace(std::move(word), verdict);
  return verdict;
}

std::string make_snippet_html(const std::string& text, const std::vector<std::string>& query_words, std::size_t max_tokens) {
  SnippetMatcher matcher(query_words);
  return make_snippet_html(text, matcher, max_tokens);
}

std::string make_snippet_html(const std::string& text, SnippetMatcher& matcher, std::size_t max_tokens) {
  // Only each word's place and verdict are kept (tokenize's boundaries; no Token per word).
  struct Span {
    std::size_t start, end;
  };
  std::vector<Span> tokens;
  std::vector<char> hit;
  tokens.reserve(text.size() / 7);
  hit.reserve(text.size() / 7);
  std::string folded;
  WordScanner scanner(text);
  for (Word word; scanner.next(word);) {
    if (!fold_word(std::string_view(text).substr(word.start, word.end - word.start), folded)) continue;
    tokens.push_back({word.start, word.end});
    hit.push_back(matcher.matches(folded));
  }
  if (tokens.empty()) {
    // No word to centre on: the start of the text, cut between characters (a cut at byte 300 could
    // split one: a broken byte in `lexicon search`, a U+FFFD at the end of the snippet online).
    std::size_t cut = std::min<std::size_t>(text.size(), 300);
    while (cut > 0 && cut < text.size() && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    return html_escape(text.substr(0, cut)) + (cut < text.size() ? " …" : "");
  }
  // The window with the most matches; ties go to the earliest.
  std::size_t window = std::min(max_tokens, tokens.size());
  std::size_t best = 0, best_count = 0, count = 0;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    count += hit[i];
    if (i >= window) count -= hit[i - window];
    if (i + 1 >= window && count > best_count) {
      best_count = count;
      best = i + 1 - window;
    }
  }
  // Start a few words before the first match so it has some context.
  if (best_count > 0) {
    std::size_t first = best;
    while (first < best + window && !hit[first]) ++first;
    best = first > 5 ? first - 5 : 0;
    best = std::min(best, tokens.size() - window);
  }
  std::size_t last = best + window - 1;
  std::size_t from = best == 0 ? 0 : tokens[best].start;
  std::size_t to = last + 1 == tokens.size() ? text.size() : tokens[last].end;
  std::string out = best == 0 ? "" : "… ";
  std::size_t pos = from;
  for (std::size_t i = best; i <= last; ++i) {
    if (!hit[i]) continue;
    out += html_escape(text.substr(pos, tokens[i].start - pos));
    out += "<mark>" + html_escape(text.substr(tokens[i].start, tokens[i].end - tokens[i].start)) + "</mark>";
    pos = tokens[i].end;
  }
  std::string tail = text.substr(pos, to - pos);
  for (char& c : tail) if (c == '\n') c = ' ';
  out += html_escape(tail);
  if (to < text.size()) out += " …";
  // Paragraph breaks inside the window read as spaces.
  std::string cleaned;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (out[i] == '\n') {
      if (!cleaned.empty() && cleaned.back() != ' ') cleaned += ' ';
    } else {
      cleaned += out[i];
    }
  }
  return cleaned;
}

std::optional<StoredDocument> parse_stored_document(const std::string& data) {
  auto json = nlohmann::json::parse(data, nullptr, false);
  if (json.is_discarded()) return std::nullopt;
  StoredDocument d;
  d.title = json.value("title", "");
  d.url = json.value("url", "");
  d.type = json.value("type", "");
  d.summary = json.value("summary", "");
  d.text = json.value("text", "");
  for (const auto& th : json.value("themes", nlohmann::json::array())) {
    d.themes.push_back({th.value("slug", ""), th.value("name", "")});
  }
  return d;
}

std::optional<StoredDocuments> read_stored_documents(const Xapian::Database& db, std::size_t max_bytes,
                                                     const std::function<bool()>& stop) {
  StoredDocuments out;
  out.index = IndexRevision::of(db);
  out.by_docid.resize(db.get_lastdocid());
  std::size_t bytes = 0;
  // Document by document in docid order (docids may have gaps after an incremental update).
  for (auto it = db.postlist_begin(""); it != db.postlist_end(""); ++it) {
    if (stop && stop()) return std::nullopt;
    std::string data = db.get_document(*it).get_data();
    bytes += data.size();
    if (bytes > max_bytes) return std::nullopt;
    out.by_docid[*it - 1] = parse_stored_document(data);
  }
  return out;
}

SearchIndexData read_search_index_data(const Xapian::Database& db) {
  SearchIndexData data;
  data.index = IndexRevision::of(db);
  data.splitter = CompoundSplitter::deserialise(db.get_metadata(schema::metadata_compound_parts));
  data.themes = ThemeTable(db);
  for (const auto& slug : data.themes.themes()) data.theme_names[slug] = db.get_metadata("theme:" + slug);
  return data;
}

SearchResult search(const Xapian::Database& db, const SearchOptions& options, const SearchIndexData* prepared) {
  SearchResult result;
  Analyzer analyzer;
  std::string q = options.query.substr(0, 1000);
  if (find_invalid_utf8(q) != std::string::npos) {
    std::string cleaned;
    for (std::size_t i = 0; i < q.size();) {
      char32_t cp = decode_utf8(q, i);
      append_utf8(cleaned, cp == 0xFFFD ? U' ' : cp);
    }
    q = cleaned;
  }
  auto tokens = tokenize(q);
  if (tokens.size() > 20) tokens.resize(20);
  if (tokens.empty()) return result;

  std::optional<SearchIndexData> own;
  if (!prepared || prepared->index != IndexRevision::of(db)) prepared = &own.emplace(read_search_index_data(db));
  QueryBuilder builder(db, analyzer, prepared->splitter);
  Xapian::Enquire enquire(db);
  enquire.set_sort_by_relevance_then_value(schema::slot_type_rank, false);
  auto filtered = [&](Xapian::Query query) {
    if (!options.type.empty()) query = Xapian::Query(Xapian::Query::OP_FILTER, query, Xapian::Query(std::string(schema::doc_type) + options.type));
    if (!options.theme.empty()) query = Xapian::Query(Xapian::Query::OP_FILTER, query, Xapian::Query(std::string(schema::theme) + options.theme));
    return query;
  };
  auto run = [&](const std::vector<Token>& words, Xapian::Query::op op) {
    enquire.set_query(filtered(builder.build(words, op)));
    return enquire.get_mset(static_cast<Xapian::doccount>(options.offset),
                            static_cast<Xapian::doccount>(std::min<std::size_t>(options.limit, 100)));
  };

  std::vector<Token> used = tokens;
  Xapian::MSet mset = run(used, Xapian::Query::OP_AND);
  std::vector<std::string> words = builder.highlight;
  Xapian::Query::op op = Xapian::Query::OP_AND;
  Xapian::doccount found = mset.get_matches_estimated();
  // Words the lexicon does not contain at all get its nearest own word. The correction is used
  // automatically when the query as typed found nothing or little (only via looser matches, or
  // fewer results than the correction); otherwise it is only offered.
  bool changed = false;
  auto corrected = correct(db, analyzer, tokens, changed);
  if (changed) {
    result.corrected = join_words(corrected);
    Xapian::MSet corrected_set = run(corrected, Xapian::Query::OP_AND);
    Xapian::doccount corrected_found = corrected_set.get_matches_estimated();
    if (corrected_found > 0 && (found < 3 || corrected_found >= found)) {
      used = corrected;
      result.used_correction = true;
      mset = corrected_set;
      words = builder.highlight;
    }
  }
  // Few results for several words: let any word match, with the full matches first.
  if (mset.get_matches_estimated() < 3 && used.size() > 1) {
    op = Xapian::Query::OP_OR;
    mset = run(used, op);
    words = builder.highlight;
  }
  // Exact total and facet counts come from the whole match set, not from ranking it (the ranked run
  // stops after the top hits): as docid bitmaps (match_count.h), or else from an unweighted Xapian pass.
  const ThemeTable& table = prepared->themes;
  Xapian::Query match_set = filtered(builder.matching(used, op));
  std::map<std::string, std::size_t> theme_counts;
  if (auto counts = count_matches(db, match_set, table, prepared->bitmaps.get())) {
    result.total = counts->total;
    theme_counts = std::move(counts->themes);
  } else {
    ThemeTableCounter table_counter(table);
    ThemeCounter value_counter;  // for an index without the table
    Xapian::Enquire counting(db);
    counting.set_weighting_scheme(Xapian::BoolWeight());
    counting.set_docid_order(Xapian::Enquire::ASCENDING);
    counting.set_query(match_set);
    if (table.usable()) counting.add_matchspy(&table_counter);
    else counting.add_matchspy(&value_counter);
    result.total = counting.get_mset(0, 0, db.get_doccount()).get_matches_estimated();
    theme_counts = table.usable() ? table_counter.counts() : value_counter.counts();
  }

  SnippetMatcher matcher(words);
  const StoredDocuments* stored = prepared->documents.get();
  if (stored && stored->index != prepared->index) stored = nullptr;
  for (auto it = mset.begin(); it != mset.end(); ++it) {
    std::optional<StoredDocument> read;
    const std::optional<StoredDocument>* doc = &read;
    if (stored && *it <= stored->by_docid.size()) {
      doc = &stored->by_docid[*it - 1];
    } else {
      read = parse_stored_document(it.get_document().get_data());
    }
    if (!*doc) continue;
    const StoredDocument& d = **doc;
    SearchHit hit{d.title, d.url, d.type, d.summary, make_snippet_html(d.text, matcher), d.themes};
    result.hits.push_back(std::move(hit));
  }
  for (const auto& [slug, count] : theme_counts) {
    if (slug.empty()) continue;
    auto known = prepared->theme_names.find(slug);
    std::string name = known != prepared->theme_names.end() ? known->second : db.get_metadata("theme:" + slug);
    result.facets.push_back({slug, name.empty() ? slug : name, count});
  }
  std::sort(result.facets.begin(), result.facets.end(), [](const Facet& a, const Facet& b) {
    return a.count != b.count ? a.count > b.count : a.slug < b.slug;
  });
  return result;
}

nlohmann::json to_json(const SearchResult& result) {
  nlohmann::json hits = nlohmann::json::array();
  for (const auto& h : result.hits) {
    nlohmann::json themes = nlohmann::json::array();
    for (const auto& t : h.themes) themes.push_back({{"slug", t.slug}, {"name", t.name}});
    hits.push_back({{"title", h.title}, {"url", h.url}, {"type", h.type}, {"summary", h.summary},
                    {"snippet_html", h.snippet_html}, {"themes", themes}});
  }
  nlohmann::json facets = nlohmann::json::array();
  for (const auto& f : result.facets) facets.push_back({{"slug", f.slug}, {"name", f.name}, {"count", f.count}});
  return {{"total", result.total},
          {"corrected", result.corrected.empty() ? nlohmann::json(nullptr) : nlohmann::json(result.corrected)},
          {"hits", hits},
          {"facets", facets}};
}

}  // namespace lexicon
