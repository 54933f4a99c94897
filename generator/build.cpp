#include "build.h"

#include <chrono>
#include <thread>

#include <fmt/format.h>

#include "content.h"
#include "generation.h"
#include "history.h"
#include "indexer.h"
#include "related_terms.h"
#include "render.h"
#include "resolve.h"
#include "templates.h"

namespace fs = std::filesystem;

namespace lexicon {

int effective_jobs(int requested) {
  if (requested > 0) return requested;
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

namespace {
double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}
}  // namespace

BuildReport run_build(const BuildOptions& options, bool check_only) {
  BuildReport report;
  auto start = std::chrono::steady_clock::now();
  int jobs = effective_jobs(options.jobs);
  Corpus corpus = load_corpus(options.content_dir, report.diagnostics);
  TemplateSet templates = load_templates(options.templates_dir, report.diagnostics);
  ParsedCorpus parsed = parse_corpus(std::move(corpus), jobs, report.diagnostics);
  LinkGraph graph = resolve(parsed, report.diagnostics);
  sort_diagnostics(report.diagnostics);
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

  // History is read only for a build: `check` does not need it and stays fast.
  std::vector<std::string> slugs;
  for (const auto& e : parsed.corpus.entries) slugs.push_back(e.slug);
  auto history_start = std::chrono::steady_clock::now();
  ContentHistory history = load_history(options.content_dir, slugs);
  report.timings.emplace_back("history", seconds_since(history_start));
  // From the parsed text alone (an in-memory index of stems), before rendering and not from site/.
  auto related_start = std::chrono::steady_clock::now();
  std::vector<std::vector<Suggestion>> suggestions = compute_suggestions(parsed, graph);
  report.timings.emplace_back("verwant", seconds_since(related_start));
  auto site_start = std::chrono::steady_clock::now();
  double index_seconds = 0;
  if (!history.available && history.note != "geen git-repository") report.history_note = history.note;
  RenderedSite site = render_site(parsed, graph, templates, jobs, &history, &suggestions);
  report.files = site.files.size() + site.copies.size();
  fs::path external_index = options.index_dir;
  publish_generation(options.site_dir, site, [&](const fs::path& staging) {
    if (external_index.empty()) {
      auto index_start = std::chrono::steady_clock::now();
      build_index(parsed, graph, staging / ".xapian");
      index_seconds = seconds_since(index_start);
    }
  });
  report.timings.emplace_back("site", seconds_since(site_start) - index_seconds);
  if (!external_index.empty()) {
    // An index outside the site gets its own staging directory and swap.
    RenderedSite empty;
    auto index_start = std::chrono::steady_clock::now();
    publish_generation(external_index, empty, [&](const fs::path& staging) { build_index(parsed, graph, staging); });
    index_seconds = seconds_since(index_start);
  }
  report.timings.emplace_back("index", index_seconds);
  return report;
}

}  // namespace lexicon
