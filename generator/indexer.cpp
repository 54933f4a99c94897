#include "indexer.h"

#include <algorithm>
#include <thread>
#include <atomic>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include <nlohmann/json.hpp>
#include <xapian.h>

#include "analysis.h"
#include "facets.h"
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
  std::unordered_set<std::string> seen;  // headwords share most of their words: each is stemmed once
  auto add = [&](const std::string& text) {
    for (const auto& token : tokenize(text)) {
      if (!seen.insert(token.folded).second) continue;
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

// The spelling words a stored entry or page document contributed (DocumentBuilder::add_text over its
// title, aliases, summary and text, all kept in its data), so an update can take them back out.
// Sources need not be: their words come from bronnen.yaml alone, which is the same in any update (a
// change there rebuilds the index), so a rebuilt source does not count them again (see build_index).
std::set<std::string> stored_spelling_words(const Xapian::Document& doc) {
  std::set<std::string> words;
  auto data = nlohmann::json::parse(doc.get_data(), nullptr, false);
  if (!data.is_object() || data.value("type", "") == schema::type_source) return words;
  auto add = [&](const nlohmann::json& text) {
    if (!text.is_string()) return;
    for (const auto& token : tokenize(text.get<std::string>())) {
      if (token.folded.size() >= 3) words.insert(token.folded);
    }
  };
  add(data["title"]);
  if (data["aliases"].is_array()) for (const auto& a : data["aliases"]) add(a);
  add(data["summary"]);
  add(data["text"]);
  return words;
}

}  // namespace

void build_index(const ParsedCorpus& parsed, const LinkGraph& graph, const std::filesystem::path& index_dir,
                 IndexUpdate* update, const std::function<void(std::size_t entry)>& entry_done) {
  const Corpus& corpus = parsed.corpus;
  // No fsync of its own: the index is built in a staging directory that becomes visible only through the
  // generation swap, and the pages beside it are not synced either (a crash of the process leaves the
  // complete old or new generation; power loss is not covered, see README). Its two commits' fsyncs
  // were most of a one-entry edit's index stage on a slow disk.
  const int sync = Xapian::DB_NO_SYNC;
  Xapian::WritableDatabase db(index_dir.string(), sync | (update ? Xapian::DB_CREATE_OR_OPEN : Xapian::DB_CREATE_OR_OVERWRITE));
  std::optional<Xapian::Database> previous;
  if (update) {
    previous.emplace(update->previous.string());
    // Nothing is committed before all documents are in (Xapian commits by itself every 10,000 changes
    // otherwise): `previous` may be this very database, read at its last commit, which a reader sees
    // intact through one new commit only.
    db.begin_transaction(false);
  }
  // Documents get docids 1, 2, ... in this order (entries, pages, sources) in every build.
  Xapian::docid docid = 0;
  std::map<std::string, long> spelling;
  // The previous index's documents by unique id, from one pass over the slot holding it; each is taken
  // out when this build has it, so what is left at the end is gone. Asking each id's posting list
  // instead read a block per document (10,000 reads, most of a one-entry edit's index update).
  std::unordered_map<std::string, Xapian::docid> previous_docids;
  if (update) {
    previous_docids.reserve(previous->get_doccount());
    for (auto v = previous->valuestream_begin(schema::slot_unique_id); v != previous->valuestream_end(schema::slot_unique_id); ++v) {
      previous_docids.emplace(*v, v.get_docid());
    }
  }
  auto claim_previous_docid = [&](const std::string& id) -> Xapian::docid {
    auto it = previous_docids.find(id);
    if (it == previous_docids.end()) return 0;
    Xapian::docid old = it->second;
    previous_docids.erase(it);
    return old;
  };
  auto forget_spelling = [&](Xapian::docid old) {
    for (const auto& w : stored_spelling_words(previous->get_document(old))) --spelling[w];
  };
  Analyzer analyzer;
  CompoundSplitter splitter = known_parts(corpus, analyzer);
  db.set_metadata(schema::metadata_compound_parts, splitter.serialise());
  std::vector<std::string> changed_parts;  // added or removed since the previous index
  if (update) {
    const auto before = CompoundSplitter::deserialise(previous->get_metadata(schema::metadata_compound_parts)).parts();
    const auto& now = splitter.parts();
    std::set_symmetric_difference(before.begin(), before.end(), now.begin(), now.end(), std::back_inserter(changed_parts));
  }
  // The previous documents with a term that contains a changed compound part (all their words are among
  // their terms, unprefixed), whose splits may differ now. Found from the terms once: asking each
  // document's term list instead read every term of every document (0.3 s of a title edit at 10,000).
  std::unordered_set<Xapian::docid> split_differently;
  if (!changed_parts.empty()) {
    const auto end = previous->allterms_end();
    for (auto t = previous->allterms_begin(); t != end;) {
      const std::string term = *t;
      // Prefixed terms (an upper-case prefix, search_schema.h) hold the same words in other forms: all of
      // them are passed over in one step.
      if (term[0] >= 'A' && term[0] <= 'Z') {
        t.skip_to("a");
        continue;
      }
      ++t;
      const bool contains_part = std::any_of(changed_parts.begin(), changed_parts.end(),
                                             [&](const std::string& part) { return term.find(part) != std::string::npos; });
      if (!contains_part) continue;
      for (auto d = previous->postlist_begin(term); d != previous->postlist_end(term); ++d) split_differently.insert(*d);
    }
  }
  auto splits_differently = [&](Xapian::docid old) { return split_differently.count(old) > 0; };
  bool replacing = false;  // the document being built replaces one of the previous index
  // Takes the next docid; true when the document is unchanged (moved there from the previous index if needed).
  auto unchanged = [&](const std::string& type, const std::string& slug) {
    std::string id = std::string(schema::unique_id) + type + ":" + slug;
    ++docid;
    replacing = false;
    if (!update) return false;
    Xapian::docid old = claim_previous_docid(id);
    if (old == 0 || update->rebuild(id) || splits_differently(old)) {
      // A source's words are not taken out (stored_spelling_words), so its data (at 10,000 citing entries
      // 1 MB of JSON) need not be read for them.
      if (old != 0 && type != schema::type_source) forget_spelling(old);
      replacing = old != 0;
      ++update->rebuilt;
      return false;
    }
    if (old != docid) {
      db.replace_document(docid, previous->get_document(old));
      ++update->moved;
    }
    return true;
  };
  Splits splits{splitter, {}};
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
    b.doc.add_value(schema::slot_unique_id, id);
    data["type"] = type;
    b.doc.set_data(data.dump());
    db.replace_document(docid, b.doc);
    for (const auto& w : b.spelling_words) ++spelling[w];
  };

  std::map<std::string, std::string> theme_names;
  for (const auto& t : corpus.themes) {
    theme_names[t.slug] = t.name;
    db.set_metadata("theme:" + t.slug, t.name);
  }

  for (std::size_t i = 0; i < corpus.entries.size(); ++i) {
    const auto& e = corpus.entries[i];
    struct Done {
      const std::function<void(std::size_t)>& f;
      std::size_t i;
      ~Done() {
        if (f) f(i);
      }
    } done{entry_done, i};  // also for an unchanged entry (its plain text is not read at all)
    if (unchanged(schema::type_entry, e.slug)) continue;
    DocumentBuilder b{analyzer, splits, {}, {}};
    b.add_name(e.title, schema::title_weight);
    nlohmann::json aliases = nlohmann::json::array();
    for (const auto& a : e.aliases) {
      b.add_name(a.text, schema::alias_weight);
      aliases.push_back(a.text);
    }
    b.add_text(e.summary, schema::summary_weight, false);
    std::string deferred;
    const std::string& plain_text = plain_text_of(parsed, e, parsed.entry_docs[i], deferred);
    b.add_text(plain_text, schema::body_weight, false);
    nlohmann::json themes = nlohmann::json::array();
    for (const auto& t : e.themes) {
      if (theme_names.count(t)) themes.push_back({{"slug", t}, {"name", theme_names[t]}});
    }
    nlohmann::json data = {{"title", e.title},     {"url", base + entry_path(e.slug)},
                           {"summary", e.summary}, {"themes", themes},
                           {"aliases", aliases},   {"text", plain_text}};
    finish(b, schema::type_entry, e.slug, data, e.themes);
  }
  for (std::size_t i = 0; i < corpus.pages.size(); ++i) {
    const auto& p = corpus.pages[i];
    if (unchanged(schema::type_page, p.slug)) continue;
    DocumentBuilder b{analyzer, splits, {}, {}};
    b.add_name(p.title, schema::title_weight);
    b.add_text(p.summary, schema::summary_weight, false);
    std::string deferred;
    const std::string& plain_text = plain_text_of(parsed, p, parsed.page_docs[i], deferred);
    b.add_text(plain_text, schema::body_weight, false);
    nlohmann::json data = {{"title", p.title}, {"url", base + page_path(p.slug)}, {"summary", p.summary},
                           {"themes", nlohmann::json::array()}, {"aliases", nlohmann::json::array()},
                           {"text", plain_text}};
    finish(b, schema::type_page, p.slug, data, {});
  }
  for (const auto& s : corpus.sources) {
    if (unchanged(schema::type_source, s.key)) continue;
    DocumentBuilder b{analyzer, splits, {}, {}};
    std::string authors;
    for (const auto& a : s.authors) authors += (authors.empty() ? "" : "; ") + a;
    b.add_text(s.title, schema::alias_weight, true);  // no whole-name term: entries own exact matches
    b.add_text(authors, schema::title_weight, true);
    b.add_text(s.container + " " + s.publisher + " " + s.year, schema::body_weight, false);
    // The first few citing entries by title, and how many more: a search hit on a source cited by every
    // entry of 10,000 carried all their titles (226 KB of JSON per search), and an index update made them
    // again on every title edit. The sources page lists them all.
    constexpr std::size_t citing_named = 10;
    std::string citing_text;
    if (auto it = graph.citing.find(s.key); it != graph.citing.end()) {
      const std::size_t named = std::min(citing_named, it->second.size());
      auto title_of = [&](std::size_t k) -> const std::string& {
        return corpus.entries[static_cast<std::size_t>(it->second[k])].title;
      };
      // Semicolons between the titles when one of them has a comma ("Benadering, geen methode").
      bool comma = false;
      for (std::size_t k = 0; k < named; ++k) comma = comma || title_of(k).find(',') != std::string::npos;
      for (std::size_t k = 0; k < named; ++k) citing_text += (k ? (comma ? "; " : ", ") : "") + title_of(k);
      if (const std::size_t more = it->second.size() - named; more > 0) {
        citing_text += " en " + std::to_string(more) + (more == 1 ? " ander begrip" : " andere begrippen");
      }
    }
    std::string title = authors.empty() ? s.title : authors + " (" + (s.year.empty() ? "z.j." : s.year) + "). " + s.title;
    std::string text = citing_text.empty() ? title : title + ". Aangehaald in: " + citing_text + ".";
    // The text moved in, not copied (an initializer list copies): a source cited by every entry has a
    // text of 10,000 titles, made again on every title edit.
    nlohmann::json data = {{"title", title}, {"url", base + "bronnen/#bron-" + slugify(s.key)},
                           {"summary", citing_text.empty() ? "" : "Aangehaald in: " + citing_text},
                           {"themes", nlohmann::json::array()}, {"aliases", nlohmann::json::array()}};
    data["text"] = std::move(text);
    // A source's spelling words come from bronnen.yaml alone, which is the same as for the document it
    // replaces (a change there rebuilds the whole index): they are counted already.
    if (replacing) b.spelling_words.clear();
    finish(b, schema::type_source, s.key, std::move(data), {});
  }
  if (update) {
    // Documents that are gone: their spelling words go too, and docids past the last one are freed.
    for (const auto& [id, old] : previous_docids) {
      forget_spelling(old);
      ++update->removed;
    }
    for (Xapian::docid d = docid + 1; d <= previous->get_lastdocid(); ++d) {
      try {
        db.delete_document(d);
      } catch (const Xapian::DocNotFoundError&) {
      }
    }
  }
  for (const auto& [word, freq] : spelling) {
    if (freq > 0) db.add_spelling(word, static_cast<Xapian::termcount>(freq));
    else if (freq < 0) db.remove_spelling(word, static_cast<Xapian::termcount>(-freq));
  }
  if (update) db.commit_transaction();
  db.commit();
  write_theme_table(db);  // from the committed documents, so the table matches them exactly
  db.commit();
}

namespace {
constexpr std::uint32_t no_term = UINT32_MAX;
}  // namespace

EntryTermIndex index_entry_terms(const ParsedCorpus& parsed, int jobs, const KeepTerm& keep, TermAnalysis* previous,
                                 TermAnalysis* analysed) {
  EntryTermIndex out;
  const auto& entries = parsed.corpus.entries;
  // Tokenising and stemming are the cost: each thread analyses whole entries (with its own stemmer and
  // stem cache, as the same words recur) into compact (term id, wdf) and (form id, count) lists; ids are
  // the thread's own until all are done, then one global, sorted numbering. Holding a Xapian::Document
  // per entry instead took several hundred bytes per distinct word of every entry (gigabytes at 50,000
  // entries). An entry whose file is unchanged since `previous` takes its lists from there instead.
  struct Source {  // a thread's numbering, or the previous analysis's
    std::unordered_map<std::string, std::uint32_t> ids;  // "Z" + stem -> this thread's id
    std::vector<std::string> names;                      // by id
    std::vector<std::string> forms;                      // lowercase spellings, by form id
    std::vector<std::uint32_t> form_term;                // by form id
  };
  using Counts = std::vector<std::pair<std::uint32_t, unsigned>>;  // (id, count)
  std::vector<Counts> counts(entries.size()), form_counts(entries.size());
  std::vector<std::uint8_t> analysed_by(entries.size());
  int workers = std::clamp<int>(jobs, 1, static_cast<int>(std::clamp<std::size_t>(entries.size(), 1, 254)));
  std::vector<Source> sources(static_cast<std::size_t>(workers) + (previous ? 1 : 0));
  const auto from_previous = static_cast<std::uint8_t>(workers);
  if (previous) {
    sources[from_previous].names = std::move(previous->terms);
    sources[from_previous].forms = std::move(previous->forms);
    sources[from_previous].form_term = std::move(previous->form_term);
  }
  // Unchanged entries take their lists from `previous` first, moved (copying them was 16 MB of fresh
  // memory an edit at 10,000 entries); an entry whose file is byte-identical to an earlier one's copies
  // that one's lists.
  std::vector<bool> known(entries.size());
  if (previous) {
    // Hash tables, filled in one pass: looking 10,000 blob ids up in the ordered map cost a cache miss
    // per comparison (40 ms).
    std::unordered_map<std::string_view, EntryWords*> cached;
    cached.reserve(previous->entries.size());
    for (auto& [hash, words] : previous->entries) cached.emplace(hash, &words);
    std::unordered_map<std::string_view, std::size_t> first_with;  // blob id -> the entry that took its lists
    for (std::size_t i = 0; i < entries.size(); ++i) {
      if (entries[i].hash.empty()) continue;
      if (auto twin = first_with.find(entries[i].hash); twin != first_with.end()) {
        counts[i] = counts[twin->second];
        form_counts[i] = form_counts[twin->second];
      } else if (auto words = cached.find(entries[i].hash); words != cached.end()) {
        counts[i] = std::move(words->second->terms);
        form_counts[i] = std::move(words->second->forms);
        first_with.emplace(entries[i].hash, i);
      } else {
        continue;
      }
      known[i] = true;
      analysed_by[i] = from_previous;
    }
    previous->entries.clear();
  }
  std::atomic<std::size_t> next{0}, analysed_here{0};
  auto work = [&](std::size_t w) {
    Analyzer analyzer;
    Source& me = sources[w];
    // Every distinct spelling (as written) is folded and stemmed once; after that a word costs one
    // lookup. A spelling's lowercase form is what form_counts count, its stem term what wdf counts.
    struct Spelling {
      std::uint32_t term = no_term;  // this thread's id of the stem term; no_term: not a token
      std::uint32_t form = 0;        // this thread's form id
    };
    std::unordered_map<std::string, Spelling, TransparentHash, std::equal_to<>> spellings;
    std::unordered_map<std::string, std::uint32_t> stems;  // folded word -> id of its stem term
    std::unordered_map<std::string, std::uint32_t> form_ids;
    std::vector<unsigned> wdf, written;                 // by term id and form id, for the entry being analysed
    std::vector<std::uint32_t> touched, touched_forms;  // ids with a count in this entry
    std::string folded, lower;
    auto add = [&](std::string_view text, unsigned weight) {
      WordScanner scanner(text);
      Word word;
      while (scanner.next(word)) {
        std::string_view raw = text.substr(word.start, word.end - word.start);
        auto it = spellings.find(raw);
        if (it == spellings.end()) {
          Spelling s;
          if (fold_word(raw, folded, &lower)) {  // as tokenize does
            auto stem = stems.find(folded);
            if (stem == stems.end()) {
              std::string term = std::string(schema::stemmed) + analyzer.stem(folded);
              auto [id, fresh] = me.ids.emplace(term, static_cast<std::uint32_t>(me.names.size()));
              if (fresh) {
                me.names.push_back(term);
                wdf.push_back(0);
              }
              stem = stems.emplace(folded, id->second).first;
            }
            s.term = stem->second;
            auto [form, fresh] = form_ids.emplace(lower, static_cast<std::uint32_t>(me.forms.size()));
            if (fresh) {
              me.forms.push_back(lower);
              me.form_term.push_back(s.term);
              written.push_back(0);
            }
            s.form = form->second;
          }
          it = spellings.emplace(std::string(raw), s).first;
        }
        const Spelling& s = it->second;
        if (s.term == no_term) continue;
        if (wdf[s.term] == 0) touched.push_back(s.term);
        wdf[s.term] += weight;
        if (written[s.form]++ == 0) touched_forms.push_back(s.form);
      }
    };
    for (std::size_t i; (i = next++) < entries.size();) {
      if (known[i]) continue;
      ++analysed_here;
      add(entries[i].title, schema::title_weight);
      for (const auto& a : entries[i].aliases) add(a.text, schema::alias_weight);
      add(entries[i].summary, schema::summary_weight);
      std::string deferred;
      add(plain_text_of(parsed, entries[i], parsed.entry_docs[i], deferred), schema::body_weight);
      counts[i].reserve(touched.size());
      for (std::uint32_t t : touched) {
        counts[i].emplace_back(t, wdf[t]);
        wdf[t] = 0;
      }
      touched.clear();
      form_counts[i].reserve(touched_forms.size());
      for (std::uint32_t f : touched_forms) {
        form_counts[i].emplace_back(f, written[f]);
        written[f] = 0;
      }
      touched_forms.clear();
      analysed_by[i] = static_cast<std::uint8_t>(w);
    }
  };
  std::vector<std::thread> threads;
  for (int t = 1; t < workers; ++t) threads.emplace_back(work, static_cast<std::size_t>(t));
  work(0);
  for (auto& t : threads) t.join();
  out.analysed = analysed_here;

  // One numbering for all sources: the terms (and forms) some entry uses, in byte order. So the numbering,
  // like everything else here, is the same whichever entries came from `previous`.
  std::vector<std::vector<std::uint32_t>> global(sources.size()), global_form(sources.size());
  for (std::size_t w = 0; w < sources.size(); ++w) {
    global[w].assign(sources[w].names.size(), no_term);
    global_form[w].assign(sources[w].forms.size(), no_term);
  }
  for (std::size_t i = 0; i < entries.size(); ++i) {
    for (auto& [id, n] : counts[i]) global[analysed_by[i]].at(id) = 0;  // used
    for (auto& [id, n] : form_counts[i]) global_form[analysed_by[i]].at(id) = 0;
  }
  // Each source's used names in its id order: the previous analysis's are in byte order already, a
  // thread's (the few changed entries) are sorted here; then the runs are merged. Sorting all 30,000
  // names and forms at 10,000 entries, and binary-searching each, was a fifth of an edit's terms job.
  auto merged = [&](std::vector<std::string> Source::*name_list, const std::vector<std::vector<std::uint32_t>>& use) {
    std::vector<std::string> out;
    std::vector<std::size_t> run_ends;
    for (std::size_t w = 0; w < sources.size(); ++w) {
      const std::vector<std::string>& list = sources[w].*name_list;
      const std::size_t from = out.size();
      for (std::size_t id = 0; id < list.size(); ++id) {
        if (use[w][id] != no_term) out.push_back(list[id]);
      }
      if (!std::is_sorted(out.begin() + static_cast<std::ptrdiff_t>(from), out.end())) {
        std::sort(out.begin() + static_cast<std::ptrdiff_t>(from), out.end());
      }
      if (out.size() > from) run_ends.push_back(out.size());
    }
    for (std::size_t k = 1; k < run_ends.size(); ++k) {
      std::inplace_merge(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(run_ends[k - 1]),
                         out.begin() + static_cast<std::ptrdiff_t>(run_ends[k]));
    }
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  };
  std::vector<std::string> names = merged(&Source::names, global);
  std::vector<std::string> forms = merged(&Source::forms, global_form);
  // A source's numbering: while its names come in byte order, each is found a step or two after the last.
  auto number_all = [](const std::vector<std::string>& sorted, const std::vector<std::string>& list,
                       std::vector<std::uint32_t>& ids) {
    auto at = sorted.begin();
    const std::string* last = nullptr;
    for (std::size_t id = 0; id < list.size(); ++id) {
      if (ids[id] == no_term) continue;
      const std::string& name = list[id];
      if (last && name < *last) at = sorted.begin();  // out of order: from the start again
      for (int steps = 0; at != sorted.end() && *at < name && steps < 4; ++steps) ++at;
      if (at != sorted.end() && *at < name) at = std::lower_bound(at, sorted.end(), name);
      ids[id] = static_cast<std::uint32_t>(at - sorted.begin());
      last = &name;
    }
  };
  std::vector<std::uint32_t> form_term(forms.size());
  for (std::size_t w = 0; w < sources.size(); ++w) {
    Source& source = sources[w];
    number_all(names, source.names, global[w]);
    number_all(forms, source.forms, global_form[w]);
    for (std::size_t id = 0; id < source.forms.size(); ++id) {
      if (global_form[w][id] == no_term) continue;
      // A spelling has one stem, so every source gives a form the same term.
      std::uint32_t term = source.form_term.at(id) < global[w].size() ? global[w][source.form_term[id]] : no_term;
      if (term == no_term) {  // its stem not numbered in this source: looked up among all names
        const std::string& stem = source.names.at(source.form_term[id]);
        term = static_cast<std::uint32_t>(std::lower_bound(names.begin(), names.end(), stem) - names.begin());
      }
      form_term[global_form[w][id]] = term;
    }
    source = Source();
  }
  std::vector<unsigned> entries_with(names.size()), max_wdf(names.size());
  std::vector<std::uint64_t> form_total(forms.size());
  for (std::size_t i = 0; i < counts.size(); ++i) {
    for (auto& [id, wdf] : counts[i]) {
      id = global[analysed_by[i]][id];
      ++entries_with[id];
      max_wdf[id] = std::max(max_wdf[id], wdf);
    }
    // Lists from the previous analysis keep their order (its numbering and this one are both byte order).
    if (!std::is_sorted(counts[i].begin(), counts[i].end())) std::sort(counts[i].begin(), counts[i].end());
    for (auto& [id, n] : form_counts[i]) {
      id = global_form[analysed_by[i]][id];
      form_total[id] += n;
    }
    if (!std::is_sorted(form_counts[i].begin(), form_counts[i].end())) std::sort(form_counts[i].begin(), form_counts[i].end());
  }
  std::vector<bool> kept(names.size(), true);
  if (keep) {
    for (std::size_t t = 0; t < names.size(); ++t) kept[t] = keep(names[t], entries_with[t], max_wdf[t]);
  }
  // Kept terms are numbered anew, still in byte order.
  std::vector<std::uint32_t> kept_id(names.size(), no_term);
  for (std::size_t t = 0; t < names.size(); ++t) {
    if (!kept[t]) continue;
    kept_id[t] = static_cast<std::uint32_t>(out.terms.size());
    out.terms.push_back(names[t]);
  }
  out.entry_count = counts.size();
  out.term_total.assign(out.terms.size(), 0);
  out.term_start.assign(out.terms.size() + 1, 0);
  out.entry_start.reserve(counts.size() + 1);
  std::size_t postings = 0;
  for (const auto& c : counts) postings += c.size();
  out.by_entry.reserve(postings);  // an upper bound: terms not kept are left out
  for (std::size_t i = 0; i < counts.size(); ++i) {
    out.entry_start.push_back(out.by_entry.size());
    for (const auto& [id, wdf] : counts[i]) {
      if (kept_id[id] == no_term) continue;
      out.by_entry.push_back({kept_id[id], wdf});  // still by id: the numbering kept the order
      out.term_total[kept_id[id]] += wdf;
      ++out.term_start[kept_id[id] + 1];
    }
    if (analysed && !entries[i].hash.empty()) {
      analysed->entries.try_emplace(entries[i].hash, EntryWords{std::move(counts[i]), std::move(form_counts[i])});
    }
    Counts().swap(counts[i]);
    Counts().swap(form_counts[i]);
  }
  out.entry_start.push_back(out.by_entry.size());
  for (std::size_t t = 0; t < out.terms.size(); ++t) out.term_start[t + 1] += out.term_start[t];
  out.by_term.resize(out.by_entry.size());
  std::vector<std::size_t> fill_at(out.term_start.begin(), out.term_start.end() - 1);
  for (std::size_t i = 0; i < out.entry_count; ++i) {
    for (std::size_t k = out.entry_start[i]; k < out.entry_start[i + 1]; ++k) {
      out.by_term[fill_at[out.by_entry[k].id]++] = {static_cast<std::uint32_t>(i), out.by_entry[k].wdf};
    }
  }
  // The most written form of each kept term; ties go to the alphabetically first (forms are sorted).
  std::vector<std::uint32_t> best(names.size(), no_term);
  for (std::uint32_t f = 0; f < forms.size(); ++f) {
    std::uint32_t t = form_term[f];
    if (kept[t] && (best[t] == no_term || form_total[f] > form_total[best[t]])) best[t] = f;
  }
  for (std::uint32_t t = 0; t < names.size(); ++t) {  // in byte order: each goes at the end
    if (best[t] != no_term) out.surface.emplace_hint(out.surface.end(), names[t], forms[best[t]]);
  }
  if (analysed) {
    analysed->terms = std::move(names);
    analysed->forms = std::move(forms);
    analysed->form_term = std::move(form_term);
  }
  return out;
}

}  // namespace lexicon
