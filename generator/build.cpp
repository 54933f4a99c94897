#include "build.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>
#include <tuple>

#include <fmt/format.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "build_state.h"
#include "conceptmap.h"
#include "content.h"
#include "generation.h"
#include "history.h"
#include "history_cache.h"
#include "indexer.h"
#include "parse_cache.h"
#include "progress.h"
#include "related_terms.h"
#include "render.h"
#include "resolve.h"
#include "segments.h"
#include "search_schema.h"
#include "templates.h"
#include "term_cache.h"

namespace fs = std::filesystem;

namespace lexicon {

int effective_jobs(int requested) {
  if (requested > 0) return requested;
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

namespace {
constexpr std::size_t trim_every = 1000;  // written files between malloc_trim calls

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// How many of the spare generation's outputs (or index documents) an incremental build would have to
// replace or remove.
template <class SpareMap, class WantedMap>
std::size_t outputs_differing(const SpareMap& spare, const WantedMap& wanted) {
  std::size_t differing = 0;
  for (const auto& [path, print] : wanted) {
    auto it = spare.find(path);
    differing += it == spare.end() || it->second != print;
  }
  for (const auto& [path, print] : spare) differing += !wanted.count(path);
  return differing;
}

// Whether `key` stands in both maps with the same fingerprint, or in neither.
template <class MapA, class MapB>
bool same_print(const MapA& a, const MapB& b, const std::string& key) {
  auto in_a = a.find(key);
  auto in_b = b.find(key);
  if (in_a == a.end() || in_b == b.end()) return (in_a == a.end()) == (in_b == b.end());
  return in_a->second == in_b->second;
}

// Whether updating the spare generation's index costs less than copying the current one: the documents
// it lacks that the current index has right must be a few entries or pages. Not a source: its document
// lists every entry citing it (at 10,000 entries rebuilding one took longer than copying the index).
bool spare_index_lags_little(const BuildState& current, const BuildState& spare, const Fingerprints& prints) {
  constexpr std::size_t cheap_lag = 16;
  const std::string source_prefix = std::string(schema::unique_id) + schema::type_source + ":";
  std::size_t lag = 0;
  bool costly = false;
  // A document the spare has wrong but the current index right is work only the update would do.
  auto count_lag = [&](const std::string& id) {
    if (!same_print(current.documents, prints.documents, id)) return;
    ++lag;
    costly = costly || id.starts_with(source_prefix);
  };
  for (const auto& [id, print] : prints.documents) {
    if (!same_print(spare.documents, prints.documents, id)) count_lag(id);
  }
  for (const auto& [id, print] : spare.documents) {
    if (!prints.documents.count(id)) count_lag(id);
  }
  return !costly && lag <= cheap_lag;
}

// How far a generation left behind is from the one just built: the outputs and index documents the
// next build would have to redo if it recycled that one.
std::size_t distance_to(const BuildState& left, const BuildState& built) {
  return outputs_differing(left.outputs, built.outputs) +
         (left.index_global == built.index_global ? outputs_differing(left.documents, built.documents)
                                                  : built.documents.size());
}

// A build that recycled nothing leaves two generations behind: the one it replaced and the spare from
// before it. The next build should start from the nearer: usually the replaced one, but after an edit
// that was undone (or `build --clean` after it) the older spare can be the same as the new generation.
// An unreadable state is never chosen.
bool keep_replaced_as_spare(const std::optional<BuildState>& replaced, const std::optional<BuildState>& spare,
                            const BuildState& built) {
  if (!spare) return true;
  if (!replaced) return false;
  return distance_to(*replaced, built) <= distance_to(*spare, built);
}

// Moves what a build holds to the heap, never to be freed: for a process that ends right after the build.
// Freeing a million allocations one by one was 45 ms of a 0.75 s one-entry edit at 10,000 entries; at
// exit the kernel takes the whole heap back at once. Not under AddressSanitizer, whose leak check would
// (rightly) object.
template <class... Held>
void keep_until_exit(Held&... held) {
#if !defined(__SANITIZE_ADDRESS__)
  (void)new std::tuple<Held...>(std::move(held)...);
#else
  ((void)held, ...);
#endif
}

// The same, handed to the caller to free when it suits (see BuildReport::leftovers).
template <typename... Held>
std::shared_ptr<void> hand_over(Held&... held) {
  return std::make_shared<std::tuple<Held...>>(std::move(held)...);
}
}  // namespace

BuildReport run_build(const BuildOptions& options, bool check_only) {
  BuildReport report;
  auto start = std::chrono::steady_clock::now();
  // Held to the end of this function, after everything else here is freed.
  std::optional<GenerationLock> lock;
  if (!check_only) {
    lock.emplace(options.site_dir, [&](long holder) {
      std::cerr << fmt::format("lexicon: wacht op een andere build van {}{}…\n", options.site_dir.generic_string(),
                               holder > 0 ? fmt::format(" (proces {})", holder) : "");
    });
  }
  const GitLibrary git;
  int jobs = effective_jobs(options.jobs);
  Progress progress(options.progress);
  // Incremental builds: the current generation says what it was built from; when every input file,
  // the binary and git HEAD are the same, there is nothing to do at all.
  std::optional<BuildState> previous;
  BuildState state;
  const std::string display_root = display_root_of(options.content_dir);
  std::optional<ParseCacheFile> cache;
  // What an edit needs of the current generation beyond its inputs (its outputs and index documents, and
  // its parse cache, every record checked) is read on a thread of its own while the inputs are scanned;
  // it takes about as long as the scan, so a no-op rebuild hardly waits for it.
  struct CurrentGeneration {
    std::optional<BuildState> state;
    std::optional<ParseCacheFile> cache;
  };
  std::future<CurrentGeneration> current;
  // What a clean build leaves behind (see keep_replaced_as_spare), read while it runs.
  struct LeftBehind {
    std::optional<BuildState> replaced, spare;
  };
  std::future<LeftBehind> left_behind;
  if (!check_only && options.clean) {
    left_behind = std::async(std::launch::async, [&options] {
      return LeftBehind{read_build_state(options.site_dir, BuildStateScope::all_but_inputs),
                        read_build_state(spare_generation(options.site_dir), BuildStateScope::all_but_inputs)};
    });
  }
  if (!check_only) {
    state.environment = current_environment(options.content_dir, options.templates_dir, options.index_dir.empty());
    if (!options.clean) previous = read_build_state(options.site_dir, BuildStateScope::inputs);
    if (previous) {
      current = std::async(std::launch::async, [&options, &display_root, binary = state.environment.binary] {
        CurrentGeneration generation;
        generation.state = read_build_state(options.site_dir, BuildStateScope::all_but_inputs);
        if (generation.state) generation.cache = open_parse_cache_dir(options.site_dir / parse_cache_path, binary, display_root);
        return generation;
      });
    }
    state.inputs = scan_inputs(options.content_dir, options.templates_dir, previous ? &*previous : nullptr, &state.scanned_ns, jobs);
    std::error_code ec;
    if (previous && previous->environment == state.environment && !(options.strict && !previous->warnings.items.empty()) &&
        same_inputs(previous->inputs, state.inputs) && fs::is_directory(options.site_dir, ec)) {
      report.unchanged = true;
      report.diagnostics = previous->warnings;
      // Left by a build that was killed (beside site/, not in it); retired generations wait for a real build.
      remove_stale_generations(options.site_dir, false);
      report.history_note = previous->history_note;
      for (const auto& [path, f] : state.inputs) report.entries += path.starts_with("content/begrippen/") && path.ends_with(".md");
      report.timings.emplace_back("check", seconds_since(start));
      return report;
    }
    // Something changed: the previous outputs and index documents say what to redo, and unchanged files
    // come from the parse cache, without being read.
    if (previous) {
      CurrentGeneration generation = current.get();
      // The inputs come from the first read, when both reads found the same generation (the scan's time
      // tells); when another build swapped in between, the whole state is read again.
      if (generation.state && generation.state->scanned_ns == previous->scanned_ns &&
          generation.state->environment == previous->environment) {
        generation.state->inputs = std::move(previous->inputs);
      } else if (generation.state) {
        generation.state = read_build_state(options.site_dir);
        generation.cache.reset();
      }
      previous = std::move(generation.state);
      if (previous && generation.cache) cache = reusable_parse_cache(std::move(*generation.cache), state.inputs);
    }
  }
  // Graphviz's context, made beside the loading (it reads Graphviz's plugin configuration: 20 ms, a
  // tenth of a one-entry edit's rendering at 10,000 entries). Declared in this order so the job ends first.
  ConceptMapper mapper;
  std::future<void> mapper_prepared;
  if (!check_only) mapper_prepared = std::async(std::launch::async, [&mapper] { mapper.prepare(); });
  // Likewise the current generation's term cache (10 MB at 10,000 entries), for the terms job below.
  std::future<std::optional<TermAnalysis>> known_terms;
  if (previous) {
    known_terms = std::async(std::launch::async, [&options, binary = state.environment.binary] {
      return read_term_cache_file(options.site_dir / term_cache_path, binary);
    });
  }
  progress.stage("inlezen");
  std::atomic<std::size_t> from_cache{0};
  ReuseDocument reuse_document;
  ReuseMarkdown reuse_markdown;
  if (cache) {
    // Each path is asked for once, by one of the loader's threads, which decodes its record (so they
    // share that work) and leaves the parse in the record's own slot for parse_corpus.
    reuse_document = [&](const std::string& path) -> std::optional<KnownDocument> {
      auto it = cache->records.find(path);
      if (it == cache->records.end()) return std::nullopt;
      auto file = decode_record(*cache, it->second, true);
      if (!file) return std::nullopt;
      ++from_cache;
      it->second.markdown = std::move(file->markdown);
      return KnownDocument{std::move(file->document), std::move(file->diagnostics)};
    };
    reuse_markdown = [&](const Document& d) -> std::optional<MarkdownDoc> {
      auto it = d.text.empty() ? cache->records.find(d.path) : cache->records.end();
      if (it == cache->records.end() || !it->second.markdown) return std::nullopt;
      return std::move(it->second.markdown);
    };
  }
  Corpus corpus = load_corpus(options.content_dir, report.diagnostics, jobs, reuse_document);
  TemplateSet templates = load_templates(options.templates_dir, report.diagnostics);
  ParsedCorpus parsed = parse_corpus(std::move(corpus), jobs, report.diagnostics, reuse_markdown);
  if (cache) {
    // Documents from the cache left their plain text there (most of its bytes): the few an update of the
    // index or of the term cache reads come from there. The cache stays open for them to the end.
    // So do their front matter positions, read only for a diagnostic.
    auto decoded_again = [&cache](const Document& d) {
      auto it = cache->records.find(d.path);
      auto file = it == cache->records.end() ? std::nullopt : decode_record(*cache, it->second);
      if (!file) throw std::runtime_error(d.path + " is niet meer te lezen uit de cache");
      return std::move(*file);
    };
    parsed.deferred_plain_text = [decoded_again](const Document& d) { return decoded_again(d).markdown.plain_text; };
    parsed.deferred_positions = [decoded_again](const Document& d) { return decoded_again(d).document; };
  }
  report.parsed = parsed.corpus.entries.size() + parsed.corpus.pages.size() - from_cache;
  // The next build's parse cache, written beside site/ (not held in memory until the swap) on a thread of
  // its own while the link graph and suggestions are computed; it reads the parsed corpus, which stays
  // as it is until parse_cache_written.get() below, and copies unchanged files' records from the current
  // cache (kept open to the end: cached documents' plain texts stay in it). Diagnostics are copied: resolve adds to them.
  struct RemovePath {
    fs::path file;
    ~RemovePath() {
      std::error_code ignored;
      if (!file.empty()) fs::remove_all(file, ignored);
    }
  } parse_cache_cleanup;
  // A future from std::async waits for its task when destroyed: on every way out this one goes before
  // the file's cleanup above and the corpus it reads.
  std::future<void> parse_cache_written;
  if (!check_only) {
    parse_cache_cleanup.file = generation_sibling(options.site_dir, "parse-cache");
    parse_cache_written = std::async(std::launch::async, [&, own = report.diagnostics] {
      write_parse_cache_dir(parse_cache_cleanup.file, parsed, own, state.environment.binary, display_root,
                            cache ? &*cache : nullptr);
    });
  }
  // Declared before the jobs writing them, so the jobs are joined first.
  RemovePath term_cache_cleanup;
  RemovePath history_cache_cleanup;
  // What the terms job read from the current term cache and what it analysed (the next one's contents):
  // both outlive the job, freed and written on a thread of their own once Verwant has its index.
  std::optional<TermAnalysis> cached_terms;
  TermAnalysis analysed_terms;
  // A build also needs the git history and the analysed text for "Verwant"; neither depends on the link
  // graph, so both are computed while it is resolved (and thrown away if the check fails).
  std::future<ContentHistory> history_job;
  std::future<EntryTermIndex> terms_job;
  std::future<void> term_cache_written;
  const SuggestionOptions suggestion_options{.jobs = jobs};
  if (!check_only) {
    std::vector<std::string> slugs;
    for (const auto& e : parsed.corpus.entries) slugs.push_back(e.slug);
    // The current generation's history still holds when git's HEAD and index are unchanged; then only
    // the entry files that differ from its inputs are asked for their status.
    const bool history_known = previous && !state.environment.head.empty() &&
                               previous->environment.head == state.environment.head &&
                               previous->environment.git_index == state.environment.git_index;
    std::vector<std::string> changed;
    if (history_known) {
      constexpr std::string_view entries_dir = "content/begrippen/";
      for (const auto& [path, file] : state.inputs) {
        if (!path.starts_with(entries_dir) || !path.ends_with(".md")) continue;
        auto then = previous->inputs.find(path);
        if (then == previous->inputs.end() || !(then->second == file)) {
          changed.push_back(path.substr(entries_dir.size(), path.size() - entries_dir.size() - 3));
        }
      }
    }
    history_cache_cleanup.file = generation_sibling(options.site_dir, "history-cache");
    history_job = std::async(std::launch::async, [&options, &history_cache_cleanup, slugs = std::move(slugs),
                                                  changed = std::move(changed), history_known,
                                                  binary = state.environment.binary] {
      std::optional<KnownHistory> known;
      if (history_known) {
        if (auto cached = read_history_cache_file(options.site_dir / history_cache_path, binary)) {
          known = KnownHistory{std::move(*cached), changed};
        }
      }
      ContentHistory history = load_history(options.content_dir, slugs, known ? &*known : nullptr);
      write_history_cache_file(history_cache_cleanup.file, history, binary);
      return history;
    });
    // Only entries whose file changed since the current generation are analysed; what this analysis gave
    // goes to the next generation's term cache.
    term_cache_cleanup.file = generation_sibling(options.site_dir, "term-cache");
    terms_job = std::async(std::launch::async, [&] {
      if (known_terms.valid()) cached_terms = known_terms.get();
      return suggestion_terms(parsed, suggestion_options, cached_terms ? &*cached_terms : nullptr, &analysed_terms);
    });
  }
  LinkGraph graph = resolve(parsed, report.diagnostics);
  sort_diagnostics(report.diagnostics);
  limit_per_file(report.diagnostics);
  attach_source_lines(report.diagnostics);
  report.entries = parsed.corpus.entries.size();
  report.timings.emplace_back("check", seconds_since(start));
  bool failed = report.diagnostics.has_errors() ||
                (options.strict && report.diagnostics.count(Severity::warning) > 0);
  if (failed) {
    report.exit_code = 1;
    return report;
  }
  if (check_only) return report;

  // Pages go into the new generation as they are rendered (not held in memory until all are done). An
  // incremental build claims the spare generation now, so its build state is read while the build goes on.
  std::optional<StagingWriter> staging;
  bool published = false;
  struct RemoveStaging {
    std::optional<StagingWriter>& staging;
    const bool& published;
    ~RemoveStaging() {
      std::error_code ignored;
      if (staging && !published) fs::remove_all(staging->path(), ignored);
    }
  } staging_cleanup{staging, published};
  staging.emplace(options.site_dir, previous.has_value());
  std::future<std::optional<BuildState>> spare_state;
  if (staging->recycled()) {
    spare_state = std::async(std::launch::async, [dir = staging->path()] {
      return read_build_state(dir, BuildStateScope::all_but_inputs);  // its inputs are not asked
    });
  }

  // History is read only for a build: `check` does not need it and stays fast. These two timings are
  // what the build still had to wait for after the check.
  progress.stage("geschiedenis");
  auto history_start = std::chrono::steady_clock::now();
  ContentHistory history = history_job.get();
  report.timings.emplace_back("history", seconds_since(history_start));
  if (!history.available && history.note != "geen git-repository") report.history_note = history.note;

  // Fingerprints of every output and index document: with the previous state they say what to redo.
  // Made while the terms job still runs (an edit's main thread waited for it 30-60 ms at 10,000 entries);
  // the Verwant lists are added once computed.
  auto state_start = std::chrono::steady_clock::now();
  Fingerprints prints = fingerprint(parsed, graph, templates, &history, state.inputs, state.environment.binary, jobs);
  double state_seconds = seconds_since(state_start);
  // From the parsed text alone (an in-memory index of stems), before rendering and not from site/.
  progress.stage("verwant");
  auto related_start = std::chrono::steady_clock::now();
  std::vector<std::vector<Suggestion>> suggestions =
      compute_suggestions(parsed, graph, terms_job.get(), suggestion_options, &analysed_terms.verwant.emplace());
  report.timings.emplace_back("verwant", seconds_since(related_start));
  // Beside the fingerprints and pages: Verwant waited for this before (10-25 ms of an edit at 10,000 entries).
  term_cache_written = std::async(std::launch::async, [&] {
    cached_terms.reset();
    write_term_cache_file(term_cache_cleanup.file, analysed_terms, state.environment.binary);
  });
  state_start = std::chrono::steady_clock::now();
  add_verwant(prints, parsed.corpus, suggestions);
  state.warnings = report.diagnostics;
  state.history_note = report.history_note;
  state.index_global = prints.index_global;
  state.documents = prints.documents;
  const fs::path external_index = options.index_dir;
  std::error_code ec;
  const bool index_update = previous && external_index.empty() && previous->environment.internal_index &&
                            previous->index_global == prints.index_global &&
                            fs::is_directory(options.site_dir / ".xapian", ec);
  bool index_same = index_update && previous->documents == prints.documents;
  if (index_update) report.index_changed = outputs_differing(previous->documents, prints.documents);
  // The current generation's segment tables: its files that list every entry lend their unchanged parts.
  SegmentTables previous_segments;
  if (previous) previous_segments = read_segment_tables(options.site_dir / segment_tables_path, state.environment.binary);
  RenderControl control;
  if (!previous_segments.empty()) {
    control.previous_output = [&](const std::string& path) { return previous_output(options.site_dir, previous_segments, path); };
  }
  control.redirects = &prints.redirects;
  control.az = &prints.az;
  control.mapper = &mapper;
  if (previous) {
    control.wanted = [&](const std::string& path) {
      auto now = prints.outputs.find(path);
      auto then = previous->outputs.find(path);
      return now == prints.outputs.end() || then == previous->outputs.end() || now->second != then->second;
    };
  }
  report.timings.emplace_back("state", state_seconds + seconds_since(state_start));
  parse_cache_written.get();  // rethrows what went wrong writing it
  // The whole file texts served diagnostics and fingerprints; pages and index read only the bodies
  // and parsed fields (at 50,000 entries the texts are another copy of the corpus in memory).
  // So are the front matter positions, and the links, citations, images and headings taken out of
  // the bodies (the link graph holds what they resolved to; pages parse their body again): from here on
  // only the plain text is read, by the index. An incremental build frees nothing: it holds little
  // beyond that, and freeing a dozen allocations per document was 15 ms of a one-entry edit.
  if (!previous) {
    for (auto* documents : {&parsed.corpus.entries, &parsed.corpus.pages}) {
      for (auto& d : *documents) {
        std::string().swap(d.text);
        decltype(d.field_positions)().swap(d.field_positions);
        decltype(d.item_positions)().swap(d.item_positions);
      }
    }
    for (auto* docs : {&parsed.entry_docs, &parsed.page_docs}) {
      for (auto& doc : *docs) {
        MarkdownDoc text_only;
        text_only.plain_text = std::move(doc.plain_text);
        doc = std::move(text_only);
      }
    }
#ifdef __GLIBC__
    // What was just freed lies all over the heap: its pages go back before rendering.
    malloc_trim(0);
#endif
  }
  // A full build reads each body once (for its entry's page) and each plain text once (for its index
  // document), so each is freed once read. An incremental build may have to render everything again
  // (MissingPreviousOutput below), and frees nothing.
  const bool free_as_read = !previous;
  if (free_as_read) control.body_read = [&](std::size_t i) { std::string().swap(parsed.corpus.entries[i].body); };
  std::function<void(std::size_t)> plain_text_read;
  if (free_as_read) plain_text_read = [&](std::size_t i) { std::string().swap(parsed.entry_docs[i].plain_text); };

  auto site_start = std::chrono::steady_clock::now();
  double index_seconds = 0;
  progress.stage("pagina's", &control.done, &control.total);
  double index_wait_seconds = 0;
  // An incremental build starts from the spare generation (the one before the current) when there is
  // one, and touches only what differs from it; its own build state (read meanwhile) says what it holds.
  std::optional<BuildState> spare, passed_over;
  if (staging->recycled()) {
    spare = spare_state.get();
    if (spare && !recycling_pays_off(outputs_differing(spare->outputs, prints.outputs), prints.outputs.size())) {
      passed_over = std::move(spare);
      spare.reset();
      fs::rename(staging->path(), spare_generation(options.site_dir), ec);  // stays the spare, untouched
    }
    if (!spare) staging.emplace(options.site_dir);  // unreadable (not trusted) or not worth it: start empty
  }
  // The spare's own index is brought up to date where it lies when it was made the same way: copying the
  // current index (30 MB at 10,000 entries) and deleting the spare's was most of the bytes a one-entry edit
  // wrote.
  bool index_in_place = index_update && spare && spare->environment.internal_index &&
                        spare->index_global == prints.index_global && spare_index_lags_little(*previous, *spare, prints) &&
                        fs::is_directory(staging->path() / ".xapian", ec);
  // The index needs the parsed text and names, not the pages: it is built on a thread of its own while
  // the pages are rendered and written (which leaves a core idle much of the time), in a private
  // sibling directory that moves into the new generation just before the swap.
  const fs::path index_build_dir = external_index.empty() ? generation_sibling(options.site_dir, "index") : fs::path();
  struct RemoveDirectory {
    fs::path dir;
    ~RemoveDirectory() {
      std::error_code ignored;
      if (!dir.empty()) fs::remove_all(dir, ignored);
    }
  } index_build_cleanup{index_build_dir};  // declared before the job, so the job is joined first
  std::future<void> index_job;
  if (external_index.empty()) {
    fs::remove_all(index_build_dir, ec);
    // Moved out of the spare first, so that whatever becomes of the spare, the index is the job's alone.
    if (index_in_place) {
      fs::rename(staging->path() / ".xapian", index_build_dir, ec);
      index_in_place = !ec;
    }
    index_job = std::async(std::launch::async, [&] {
      auto index_start = std::chrono::steady_clock::now();
      if (index_update) {
        // The spare's index, or a copy of the current one (never hard links: Xapian writes its files in
        // place), updated.
        const BuildState& before = index_in_place ? *spare : *previous;
        if (!index_in_place) fs::copy(options.site_dir / ".xapian", index_build_dir, fs::copy_options::recursive);
        IndexUpdate update;
        update.previous = index_build_dir;
        update.rebuild = [&](const std::string& id) {
          return !prints.documents.count(id) || !same_print(before.documents, prints.documents, id);
        };
        build_index(parsed, graph, index_build_dir, &update);
        report.index_documents = update.rebuilt + update.moved + update.removed;
      } else {
        build_index(parsed, graph, index_build_dir, nullptr, plain_text_read);
        report.index_full = true;
      }
      index_seconds = seconds_since(index_start);
    });
  }
  // The spare's index and caches make way for the ones being built: they are deleted on a thread of their
  // own while the pages are rendered, not at the swap (unlinking 30 MB of index and a 33 MB cache took a
  // tenth of a one-entry edit at 10,000 entries on a slow disk).
  std::future<void> retired_removed;
  if (spare) {
    const fs::path retired = generation_sibling(options.site_dir, "retired");
    fs::remove_all(retired, ec);
    if (fs::create_directory(retired, ec)) {
      if (external_index.empty()) fs::rename(staging->path() / ".xapian", retired / "xapian", ec);  // unless moved
      fs::rename(staging->path() / parse_cache_path, retired / "parse-cache", ec);  // a directory, or a file (older binary)
      fs::rename(staging->path() / term_cache_path, retired / "term-cache", ec);
      retired_removed = std::async(std::launch::async, [retired] {
        std::error_code ignored;
        fs::remove_all(retired, ignored);
      });
    }
  }
  std::atomic<std::size_t> written{0};
  control.write = [&](const OutputFile& file) {
    staging->write(file);
#ifdef __GLIBC__
    // Pages, their template data and the index's documents come and go by the thousand on three
    // threads, and glibc keeps what they free in per-thread arenas: at 50,000 entries that was more
    // than all live data together. Handing the free pages back now and then bounds the peak.
    if (++written % trim_every == 0 && !previous) malloc_trim(0);
#endif
  };
  RenderedSite site = render_site(parsed, graph, templates, jobs, &history, &suggestions, &control);
  auto record_outputs = [&] {
    // Normally every output has a print and is in the new generation, rendered or kept: then the state's
    // outputs are the prints, handed over whole (recorded one by one they were 10 ms of every edit at
    // 10,000 entries, just before the swap). Not needed after this (but see the fallback below).
    std::size_t printed = site.kept.size();
    for (const auto& f : site.files) printed += prints.outputs.count(f.path);
    for (const auto& c : site.copies) printed += prints.outputs.count(c.path);
    if (printed == prints.outputs.size()) {
      state.outputs = std::move(prints.outputs);
      prints.outputs.clear();
      return;
    }
    state.outputs.clear();
    state.outputs.reserve(prints.outputs.size());
    for (const auto* list : {&site.kept}) {
      for (const auto& path : *list) state.outputs.emplace(path, prints.outputs.at(path));  // kept: has one
    }
    for (const auto& f : site.files) {
      if (auto it = prints.outputs.find(f.path); it != prints.outputs.end()) state.outputs.emplace(f.path, it->second);
    }
    for (const auto& c : site.copies) {
      if (auto it = prints.outputs.find(c.path); it != prints.outputs.end()) state.outputs.emplace(c.path, it->second);
    }
  };
  record_outputs();
  // The state is complete now: serialised beside the linking and the wait for the index (30 ms at 10,000
  // entries, that the swap would otherwise wait for).
  std::future<std::string> state_text = std::async(std::launch::async, [&state] { return serialise_build_state(state); });
  if (previous && site.files.empty() && site.copies.empty() && index_same && state.outputs == previous->outputs) {
    // Same content after all (a file was touched, or git moved without touching the entries): keep the
    // generation, only refresh its state so the next build recognises the inputs by their stat again. The
    // history cache first: a state naming the new HEAD must never stand beside the old HEAD's history.
    fs::rename(history_cache_cleanup.file, options.site_dir / history_cache_path);
    write_file_atomically(options.site_dir / build_state_path, state_text.get());
    if (spare) fs::rename(staging->path(), spare_generation(options.site_dir), ec);  // nothing was written to it
    report.unchanged = true;
    report.entries = parsed.corpus.entries.size();
    report.timings.emplace_back("site", seconds_since(site_start));
    return report;
  }
  auto fill = [&](const fs::path& staging) {
    if (external_index.empty()) {
      progress.stage("zoekindex");
      auto wait_start = std::chrono::steady_clock::now();
      index_job.get();  // rethrows what went wrong on the index thread
      index_wait_seconds = seconds_since(wait_start);
      fs::remove_all(staging / ".xapian");  // a recycled generation's index
      fs::rename(index_build_dir, staging / ".xapian");
    }
    fs::create_directories(staging / ".lexicon");
    fs::remove_all(staging / parse_cache_path);  // a recycled generation's, if it was not retired above
    fs::rename(parse_cache_cleanup.file, staging / parse_cache_path);
    if (term_cache_written.valid()) term_cache_written.get();  // rethrows what went wrong writing it
    fs::rename(term_cache_cleanup.file, staging / term_cache_path);
    fs::rename(history_cache_cleanup.file, staging / history_cache_path);
    // Kept outputs are the current generation's files: their tables come along.
    SegmentTables segments;
    for (const auto& f : site.files) {
      if (f.segments) segments.emplace(f.path, *f.segments);
    }
    for (const auto& path : site.kept) {
      if (auto it = previous_segments.find(path); it != previous_segments.end()) segments.insert(*it);
    }
    write_file_atomically(staging / segment_tables_path, serialise_segment_tables(segments, state.environment.binary));
    write_file_atomically(staging / build_state_path, state_text.get());
  };
  // Only a large generation is worth deleting in the background. A clean build has not read the previous
  // state, but what it replaces is about as large as what it made: deleting a 30,000-file spare in the
  // foreground made `build --clean` at 10,000 entries take 100-220 s instead of ~20 on a slow disk.
  constexpr std::size_t detach_above_files = 5000;
  const std::size_t replaced_files = std::max(previous ? previous->outputs.size() : 0, state.outputs.size());
  const bool detach = options.detach_cleanup && replaced_files > detach_above_files;
  std::optional<StagedContents> staged;
  if (spare) {
    staged.emplace();
    staged->up_to_date = [&](const std::string& path) {
      auto then = spare->outputs.find(path);
      return then != spare->outputs.end() && then->second == state.outputs.at(path);
    };
    for (const auto& [path, print] : spare->outputs) {
      if (!state.outputs.count(path)) staged->stale.push_back(path);
    }
  }
  bool keep_replaced = true;
  if (left_behind.valid()) {
    LeftBehind left = left_behind.get();
    keep_replaced = keep_replaced_as_spare(left.replaced, left.spare, state);
  } else if (passed_over) {
    keep_replaced = keep_replaced_as_spare(previous, passed_over, state);
  }
  try {
    publish_staged_generation(options.site_dir, staging->path(), site, fill, detach, staged ? &*staged : nullptr,
                              keep_replaced);
    report.recycled = staged.has_value();
  } catch (const MissingPreviousOutput&) {
    // Someone removed files from site/ by hand: render everything instead, into a fresh staging
    // directory (the failed one was removed, with its links to the current generation).
    control.wanted = nullptr;
    staging.emplace(options.site_dir);
    site = render_site(parsed, graph, templates, jobs, &history, &suggestions, &control);
    if (state_text.valid()) state_text.wait();  // it reads the state that record_outputs rewrites
    if (prints.outputs.empty()) prints.outputs = std::move(state.outputs);  // handed over above
    record_outputs();
    state_text = std::async(std::launch::async, [&state] { return serialise_build_state(state); });
    publish_staged_generation(options.site_dir, staging->path(), site, fill, detach, nullptr, keep_replaced);
  }
  published = true;
  report.rendered = site.files.size() + site.copies.size();
  report.reused = site.kept.size();
  report.files = report.rendered + report.reused;
  // Site: rendering and writing, without the wait for the index (which ran beside them).
  report.timings.emplace_back("site", seconds_since(site_start) - index_wait_seconds);
  if (!external_index.empty()) {
    // An index outside the site gets its own staging directory and swap.
    RenderedSite empty;
    auto index_start = std::chrono::steady_clock::now();
    publish_generation(external_index, empty, [&](const fs::path& staging) { build_index(parsed, graph, staging); });
    index_seconds = seconds_since(index_start);
    report.index_full = true;
  }
  report.timings.emplace_back("index", index_seconds);
  if (options.exit_after) {
    keep_until_exit(parsed, graph, prints, state, previous, spare, passed_over, history, suggestions, site, analysed_terms);
  } else {
    report.leftovers = hand_over(parsed, graph, prints, state, previous, spare, passed_over, history, suggestions, site, analysed_terms);
  }
  return report;
}

}  // namespace lexicon
