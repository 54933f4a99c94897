// lexicon: static knowledge-base generator. Subcommands share the global options below.
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>

#include <malloc.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <xapian.h>

#include "build.h"
#include "build_state.h"
#include "scaffold.h"
#include "search.h"
#include "deploy.h"
#include "server.h"
#include "watch.h"

namespace fs = std::filesystem;
using namespace lexicon;

namespace {

int print_report(const BuildReport& report, DiagnosticFormat format) {
  std::cerr << format_all(report.diagnostics, format);
  if (format == DiagnosticFormat::text && !report.diagnostics.items.empty()) {
    std::cerr << fmt::format("{} fout(en), {} waarschuwing(en)\n", report.diagnostics.count(Severity::error),
                             report.diagnostics.count(Severity::warning));
  }
  return report.exit_code;
}

// An incremental build at 10,000 entries spent a fifth of its time in page faults (first touches of
// ~140 MB of heap, each a trap in a virtual machine). With malloc's heap on transparent huge pages
// there are 80% fewer. glibc reads that setting (a tunable) only at start-up, from the environment:
// so the process sets it and starts itself again, once (main says when). Sanitizers bring their own
// allocator.
void restart_with_huge_pages(char** argv) {
#if !defined(__SANITIZE_ADDRESS__)
  constexpr const char* setting = "glibc.malloc.hugetlb=1";
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  if (tunables && std::strstr(tunables, "glibc.malloc.hugetlb")) return;  // set already (by us or the user)
  std::string value = tunables && *tunables ? std::string(tunables) + ":" + setting : std::string(setting);
  if (::setenv("GLIBC_TUNABLES", value.c_str(), 1) != 0) return;
  ::execv("/proc/self/exe", argv);  // returns only when it failed: then carry on as we are
#else
  (void)argv;
#endif
}

}  // namespace

int main(int argc, char** argv) {
  // Builds and searches allocate and free a lot in bursts; glibc's default would hand memory back
  // to the kernel after each burst (brk + TLB flushes) and fault it in again on the next.
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  mallopt(M_TOP_PAD, 16 << 20);
  CLI::App app{"lexicon: bouwt een kennisbank (statische site + zoekindex) uit content/"};
  app.require_subcommand(1);
  BuildOptions build;
  std::string content = "content", site = "site", index;
  app.add_option("--content", content, "map met de inhoud")->capture_default_str();
  app.add_option("--site", site, "uitvoermap")->capture_default_str();
  app.add_option("--templates", build.templates_dir, "map met sjablonen")->capture_default_str();
  app.add_option("--index", index, "zoekindex (standaard <site>/.xapian)");
  app.add_option("--jobs,-j", build.jobs, "aantal threads (standaard: alle kernen)");
  bool timings = false;
  app.add_flag("--timings", timings, "toon de duur per bouwstap (voor benchmarks)");

  auto* cmd_build = app.add_subcommand("build", "bouw site en zoekindex");
  std::string format_name = "text";
  auto* cmd_check = app.add_subcommand("check", "controleer de inhoud zonder te schrijven");
  cmd_check->add_option("--format", format_name, "text, github of json")->check(CLI::IsMember({"text", "github", "json"}));
  cmd_check->add_flag("--strict", build.strict, "waarschuwingen tellen als fouten");
  cmd_build->add_flag("--strict", build.strict, "waarschuwingen tellen als fouten");
  cmd_build->add_flag("--clean", build.clean, "bouw alles opnieuw, zonder iets van de vorige generatie te hergebruiken");

  auto* cmd_search = app.add_subcommand("search", "zoek in de index");
  std::string query, theme, type;
  bool json = false;
  std::size_t limit = 10;
  cmd_search->add_option("query", query, "zoekvraag")->required();
  cmd_search->add_flag("--json", json, "uitvoer als JSON");
  cmd_search->add_option("--thema", theme, "alleen dit thema");
  cmd_search->add_option("--type", type, "begrip, pagina of bron");
  cmd_search->add_option("--limit", limit, "aantal resultaten");

  auto* cmd_serve = app.add_subcommand("serve", "serveer de site en de zoekfunctie");
  ServeOptions serve;
  cmd_serve->add_option("--port", serve.port)->capture_default_str();
  cmd_serve->add_option("--host", serve.host)->capture_default_str();
  cmd_serve->add_option("--search-threads", serve.search_threads,
                        "zoekopdrachten tegelijk (0: een per processorkern); de rest wacht op volgorde")
      ->capture_default_str();
  std::string serve_prefix;
  bool serve_watch = false;
  cmd_serve->add_flag("--watch", serve_watch, "bouw opnieuw bij elke wijziging in content/ en templates/ en laad open pagina's opnieuw");
  cmd_serve->add_option("--prefix", serve_prefix, "URL-pad van de site (standaard: het pad van base_url)");

  auto* cmd_new = app.add_subcommand("new", "maak een nieuw begrip aan in <content>/begrippen/");
  std::string new_title, new_theme;
  cmd_new->add_option("title", new_title, "titel van het begrip")->required();
  cmd_new->add_option("--theme", new_theme, "thema-slug uit themas.yaml");

  auto* cmd_deploy = app.add_subcommand("deploy", "print productieconfiguratie (nginx, systemd)");
  cmd_deploy->require_subcommand(1);
  DeployOptions deploy;
  auto* cmd_nginx = cmd_deploy->add_subcommand("nginx", "nginx-site: statische pagina's, /zoeken/ en /api/ naar lexicon serve");
  auto* cmd_systemd = cmd_deploy->add_subcommand("systemd", "systemd-unit voor lexicon serve");
  for (auto* c : {cmd_nginx, cmd_systemd}) {
    c->add_option("--upstream", deploy.upstream, "adres van lexicon serve")->capture_default_str();
    c->add_option("--prefix", deploy.prefix, "URL-pad van de site (standaard: het pad van base_url)");
  }
  cmd_nginx->add_option("--listen", deploy.listen, "nginx listen")->capture_default_str();
  cmd_nginx->add_option("--server-name", deploy.server_name, "nginx server_name")->capture_default_str();
  cmd_systemd->add_option("--user", deploy.user, "gebruiker van de dienst")->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  // Only for incremental builds (here and in serve --watch): a full build at 10,000 entries measured no
  // faster on huge pages (its malloc_trim calls split them), and a restart costs start-up time again.
  const bool incremental_build = cmd_build->parsed() && !build.clean && fs::exists(fs::path(site) / build_state_path);
  if (incremental_build || (cmd_serve->parsed() && serve_watch)) restart_with_huge_pages(argv);
  build.content_dir = content;
  build.site_dir = site;
  build.index_dir = index;
  fs::path index_path = index.empty() ? fs::path(site) / ".xapian" : fs::path(index);

  try {
    if (cmd_build->parsed() || cmd_check->parsed()) {
      DiagnosticFormat format = format_name == "github" ? DiagnosticFormat::github
                                : format_name == "json" ? DiagnosticFormat::json : DiagnosticFormat::text;
      build.progress = true;
      build.detach_cleanup = true;
      build.exit_after = true;
      BuildReport report = run_build(build, cmd_check->parsed());
      int code = print_report(report, format);
      if (!report.history_note.empty()) {
        std::cerr << fmt::format("lexicon: let op: geen git-geschiedenis ({})\n", report.history_note);
      }
      if (code == 0 && cmd_build->parsed() && report.unchanged) {
        std::cerr << fmt::format("lexicon: niets veranderd ({} begrippen in {}/)\n", report.entries, site);
      } else if (code == 0 && cmd_build->parsed()) {
        std::cerr << fmt::format("lexicon: {} begrippen, {} bestanden geschreven naar {}/", report.entries, report.files, site);
        if (report.reused > 0) {
          std::cerr << fmt::format(" ({} opnieuw gemaakt, {} ongewijzigd overgenomen; zoekindex: {})", report.rendered,
                                   report.reused,
                                   report.index_full ? std::string("volledig opnieuw")
                                                     : fmt::format("{} documenten bijgewerkt", report.index_documents));
        }
        std::cerr << "\n";
      }
      if (timings) {
        for (const auto& [stage, seconds] : report.timings) std::cerr << fmt::format("timing: {} {:.3f}\n", stage, seconds);
      }
      return code;
    }
    if (cmd_new->parsed()) {
      NewEntry created = create_entry(content, new_title, new_theme);
      if (created.exit_code != 0) {
        std::cerr << fmt::format("lexicon: error: {}\n", created.message);
        return created.exit_code;
      }
      std::cout << created.path << "\n";
      return 0;
    }
    if (cmd_search->parsed()) {
      Xapian::Database db(index_path.string());
      SearchOptions o;
      o.query = query;
      o.theme = theme;
      o.type = type;
      o.limit = limit;
      SearchResult result = search(db, o);
      if (json) {
        std::cout << to_json(result).dump(2) << "\n";
        return 0;
      }
      if (result.used_correction) std::cout << fmt::format("(gezocht naar: {})\n", result.corrected);
      else if (!result.corrected.empty()) std::cout << fmt::format("Bedoelde je: {}?\n", result.corrected);
      std::cout << fmt::format("{} resultaten\n", result.total);
      int n = 1;
      for (const auto& h : result.hits) {
        std::cout << fmt::format("{:>2}. {} [{}]\n    {}\n    {}\n", n++, h.title, h.type, h.url, h.snippet_html);
      }
      return 0;
    }
    if (cmd_serve->parsed()) {
      serve.site_dir = site;
      serve.index_dir = index;
      if (!serve_prefix.empty()) serve.prefix = serve_prefix;
      if (serve_watch) return run_watch_server(serve, build);
      return run_server(serve);
    }
    if (cmd_deploy->parsed()) {
      deploy.site_dir = site;
      deploy.binary = fs::canonical("/proc/self/exe");
      std::cout << (cmd_nginx->parsed() ? nginx_config(deploy) : systemd_unit(deploy));
      return 0;
    }
  } catch (const Xapian::Error& e) {
    std::cerr << fmt::format("lexicon: error: zoekindex: {}\n", e.get_msg());
    return 2;
  } catch (const std::exception& e) {
    std::cerr << fmt::format("lexicon: error: {}\n", e.what());
    return 2;
  }
  return 0;
}
