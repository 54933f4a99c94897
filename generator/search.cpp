#include "search.h"

#include <algorithm>
#include <map>
#include <set>

#include "analysis.h"
#include "escape.h"
#include "search_schema.h"
#include "text.h"

namespace lexicon {

namespace {

// Counts each theme of a multi-theme document once, so facet counts stay correct.
class ThemeCounter : public Xapian::MatchSpy {
 public:
  std::map<std::string, std::size_t> counts;
  void operator()(const Xapian::Document& doc, double) override {
    std::string value = doc.get_value(schema::slot_themes);
    std::size_t start = 0;
    while (start < value.size()) {
      auto end = value.find('\n', start);
      if (end == std::string::npos) end = value.size();
      ++counts[value.substr(start, end - start)];
      start = end + 1;
    }
  }
};

Xapian::Query word_query(const Analyzer& analyzer, const Token& t) {
  std::vector<Xapian::Query> parts;
  parts.emplace_back(std::string(schema::stemmed) + analyzer.stem(t.folded));
  parts.emplace_back(Xapian::Query::OP_SCALE_WEIGHT, Xapian::Query(t.folded), 1.5);
  if (t.lower != t.folded) {
    // The exact spelling, when typed with diacritics, ranks a little higher.
    parts.emplace_back(Xapian::Query::OP_SCALE_WEIGHT, Xapian::Query(std::string(schema::exact) + t.lower), 0.5);
  }
  return Xapian::Query(Xapian::Query::OP_OR, parts.begin(), parts.end());
}

struct Plan {
  std::vector<Token> tokens;
  Xapian::Query query;
};

Xapian::Query build_query(const Analyzer& analyzer, const std::vector<Token>& tokens, Xapian::Query::op combine) {
  std::vector<Xapian::Query> words;
  for (const auto& t : tokens) words.push_back(word_query(analyzer, t));
  Xapian::Query main(combine, words.begin(), words.end());
  std::string whole;
  for (const auto& t : tokens) whole += (whole.empty() ? "" : " ") + t.folded;
  // An exact title or alias match ranks first.
  Xapian::Query boost(Xapian::Query::OP_SCALE_WEIGHT,
                      Xapian::Query(Xapian::Query::OP_SYNONYM, Xapian::Query(std::string(schema::whole_name) + whole)), 40);
  return Xapian::Query(Xapian::Query::OP_AND_MAYBE, main, boost);
}

std::vector<Token> correct(const Xapian::Database& db, const std::vector<Token>& tokens, bool& changed) {
  changed = false;
  std::vector<Token> out = tokens;
  for (auto& t : out) {
    if (t.folded.size() < 3) continue;
    if (db.get_termfreq(t.folded) > 0) continue;
    std::string suggestion = db.get_spelling_suggestion(t.folded, 2);
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

std::string make_snippet_html(const std::string& text, const std::vector<std::string>& query_words, std::size_t max_tokens) {
  Analyzer analyzer;
  std::set<std::string> folded(query_words.begin(), query_words.end()), stems;
  for (const auto& w : query_words) stems.insert(analyzer.stem(w));
  auto tokens = tokenize(text);
  if (tokens.empty()) return html_escape(text.substr(0, 300));
  std::vector<char> hit(tokens.size());
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    hit[i] = folded.count(tokens[i].folded) || stems.count(analyzer.stem(tokens[i].folded));
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

SearchResult search(const Xapian::Database& db, const SearchOptions& options) {
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

  Xapian::Enquire enquire(db);
  enquire.set_sort_by_relevance_then_value(schema::slot_type_rank, false);
  auto filtered = [&](Xapian::Query query) {
    if (!options.type.empty()) query = Xapian::Query(Xapian::Query::OP_FILTER, query, Xapian::Query(std::string(schema::doc_type) + options.type));
    if (!options.theme.empty()) query = Xapian::Query(Xapian::Query::OP_FILTER, query, Xapian::Query(std::string(schema::theme) + options.theme));
    return query;
  };
  auto run = [&](const std::vector<Token>& words, Xapian::Query::op op, ThemeCounter* spy) {
    enquire.set_query(filtered(build_query(analyzer, words, op)));
    enquire.clear_matchspies();
    if (spy) enquire.add_matchspy(spy);
    return enquire.get_mset(static_cast<Xapian::doccount>(options.offset),
                            static_cast<Xapian::doccount>(std::min<std::size_t>(options.limit, 100)),
                            spy ? db.get_doccount() : 0);
  };

  std::vector<Token> used = tokens;
  Xapian::MSet mset = run(used, Xapian::Query::OP_AND, nullptr);
  Xapian::Query::op op = Xapian::Query::OP_AND;
  if (mset.get_matches_estimated() < 3) {
    bool changed = false;
    auto corrected = correct(db, tokens, changed);
    if (changed) {
      result.corrected = join_words(corrected);
      Xapian::MSet corrected_set = run(corrected, Xapian::Query::OP_AND, nullptr);
      if (mset.empty() && !corrected_set.empty()) {
        used = corrected;
        result.used_correction = true;
        mset = corrected_set;
      }
    }
  }
  if (mset.empty() && used.size() > 1) op = Xapian::Query::OP_OR;

  // Final run with the facet counter over all matches.
  ThemeCounter counter;
  mset = run(used, op, &counter);
  result.total = mset.get_matches_estimated();

  std::vector<std::string> words;
  for (const auto& t : used) words.push_back(t.folded);
  for (auto it = mset.begin(); it != mset.end(); ++it) {
    auto data = nlohmann::json::parse(it.get_document().get_data(), nullptr, false);
    if (data.is_discarded()) continue;
    SearchHit hit;
    hit.title = data.value("title", "");
    hit.url = data.value("url", "");
    hit.type = data.value("type", "");
    hit.summary = data.value("summary", "");
    for (const auto& th : data.value("themes", nlohmann::json::array())) {
      hit.themes.push_back({th.value("slug", ""), th.value("name", "")});
    }
    hit.snippet_html = make_snippet_html(data.value("text", ""), words);
    result.hits.push_back(std::move(hit));
  }
  for (const auto& [slug, count] : counter.counts) {
    if (slug.empty()) continue;
    std::string name = db.get_metadata("theme:" + slug);
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
