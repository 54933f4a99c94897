#include "build.h"

#include <thread>

#include <fmt/format.h>

#include "content.h"
#include "generation.h"
#include "indexer.h"
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

BuildReport run_build(const BuildOptions& options, bool check_only) {
  BuildReport report;
  int jobs = effective_jobs(options.jobs);
  Corpus corpus = load_corpus(options.content_dir, report.diagnostics);
  TemplateSet templates = load_templates(options.templates_dir, report.diagnostics);
  ParsedCorpus parsed = parse_corpus(std::move(corpus), jobs, report.diagnostics);
  LinkGraph graph = resolve(parsed, report.diagnostics);
  sort_diagnostics(report.diagnostics);
  report.entries = parsed.corpus.entries.size();
  bool failed = report.diagnostics.has_errors() ||
                (options.strict && report.diagnostics.count(Severity::warning) > 0);
  if (failed) {
    report.exit_code = 1;
    return report;
  }
  if (check_only) return report;

  RenderedSite site = render_site(parsed, graph, templates, jobs);
  report.files = site.files.size() + site.copies.size();
  fs::path external_index = options.index_dir;
  publish_generation(options.site_dir, site, [&](const fs::path& staging) {
    if (external_index.empty()) build_index(parsed, graph, staging / ".xapian");
  });
  if (!external_index.empty()) {
    // An index outside the site gets its own staging directory and swap.
    RenderedSite empty;
    publish_generation(external_index, empty, [&](const fs::path& staging) { build_index(parsed, graph, staging); });
  }
  return report;
}

}  // namespace lexicon
