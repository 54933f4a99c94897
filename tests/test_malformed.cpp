// Malformed lexicons against the real `lexicon` binary: each gives a diagnostic naming the file, the right exit
// code, no crash, no partial output, and leaves a previously built site byte-identical.
// Small cases are committed under fixtures/malformed/<case>/content (laid over a copy of fixtures/good);
// large ones and symlinks are made here.
#include <doctest/doctest.h>

#include <functional>
#include <string>

#include "build_helpers.h"

using namespace testutil;

namespace {

// The 4 GB address-space limit catches runaway memory use. AddressSanitizer reserves terabytes of
// virtual shadow memory at start, so under LEXICON_SANITIZE the limit would stop every run before
// it began; there the time limit stays and ASan itself reports memory errors.
#if defined(__SANITIZE_ADDRESS__)
constexpr const char* memory_limit = "";
#else
constexpr const char* memory_limit = "ulimit -v 4000000 && ";
#endif

struct Case {
  std::string name;
  int exit_code;            // 1: content error; 0: must build (BOM/CRLF, warning-only cases)
  std::string diagnostic;   // must occur in stderr: "path:line" or, for whole-file problems, "path:"
  std::function<void(const fs::path& tmp)> make = nullptr;  // for generated cases
};

std::string entry(const std::string& title, const std::string& extra_front, const std::string& body) {
  return "---\ntitle: " + title + "\nsummary: Een samenvatting.\n" + extra_front + "---\nNaar [[presentie]].\n\n" + body;
}

// Runs the binary with `command` via the shell and returns the raw wait status (to tell signals from exits).
int raw_status(const std::string& command) { return std::system(command.c_str()); }

void run_case(const Case& c) {
  CAPTURE(c.name);
  TempDir tmp("malformed");
  copy_tree(fixtures_dir() / "good/content", tmp / "content");
  const std::string bin = shell_quote(LEXICON_BINARY);
  const std::string args = " --content content --site site --templates " + shell_quote(templates_dir().string()) +
                           " -j 2 build";
  // The previous, good site.
  auto first = run(bin + args, tmp.path(), tmp.path());
  REQUIRE_MESSAGE(first.exit_code == 0, first.err);
  auto before = snapshot(tmp / "site");
  REQUIRE(before.count("index.html") == 1);

  fs::path overlay = fixtures_dir() / "malformed" / c.name / "content";
  if (fs::exists(overlay)) copy_tree(overlay, tmp / "content");
  if (c.make) c.make(tmp.path());

  // Run directly so a signal shows up as such (std::system gives the wait status).
  std::string line = "cd " + shell_quote(tmp.path().string()) + " && " + memory_limit + "exec timeout -s KILL 60 " +
                     bin + args + " >out.txt 2>err.txt";
  int status = raw_status("bash -c " + shell_quote(line));
  REQUIRE(WIFEXITED(status));
  int code = WEXITSTATUS(status);
  std::string err = read_file(tmp / "err.txt");
  CAPTURE(err.substr(0, 4000));
  CHECK_MESSAGE(code < 128, "killed by signal " << code - 128);  // bash reports a signal death as 128+n
  CHECK(code == c.exit_code);
  CHECK(contains(err, c.diagnostic));
  if (c.name == "deep-yaml-flow") CHECK(contains(err, "error: YAML-fout: te diep genest"));
  for (const auto& e : fs::directory_iterator(tmp.path()))
    CHECK_MESSAGE(e.path().filename().string().rfind(".site.new", 0) != 0, "leftover " << e.path());
  if (c.exit_code != 0) {
    auto after = snapshot(tmp / "site");
    CHECK(after.size() == before.size());
    CHECK_MESSAGE(after == before, "the previous site changed");
  } else {
    CHECK(fs::is_regular_file(tmp / "site/index.html"));
  }
}

const std::vector<Case>& cases() {
  static const std::vector<Case> all = {
      {"empty-file", 1, "content/begrippen/leeg.md:1:1: error: front matter ontbreekt"},
      {"binary-file", 1, "content/begrippen/binair.md:1:1: error: binair bestand"},
      {"invalid-utf8", 1, "content/begrippen/fout.md:5:24: error: ongeldige UTF-8"},
      {"bom-crlf", 0, "0 fout(en)",
       [](const fs::path& tmp) {
         // CRLF also in an existing entry that others link to.
         auto text = read_file(tmp / "content/begrippen/de-klik.md");
         std::string crlf;
         for (char ch : text) crlf += ch == '\n' ? std::string("\r\n") : std::string(1, ch);
         write_file(tmp / "content/begrippen/de-klik.md", crlf);
       }},
      {"unterminated-front-matter", 1, "content/begrippen/open.md:1:1: error: front matter is niet afgesloten"},
      {"yaml-syntax-error", 1, "content/begrippen/syntax.md:4:1: error: YAML-fout"},
      {"yaml-type-error", 1, "content/begrippen/type.md:2:8: error: 'title' moet tekst zijn"},
      {"yaml-alias-bomb", 1, "content/begrippen/bom.md:11:4: error: 'aliases' moet tekst zijn"},
      {"duplicate-slug", 1, "content/begrippen/client.md: error: dubbele slug 'client': ook content/begrippen/Client.md"},
      {"folded-slug", 1, "content/begrippen/Cliënt.md: error: ongeldige bestandsnaam"},
      {"odd-file-name", 1, "content/begrippen/Met Spatie.md: error: ongeldige bestandsnaam; hernoem naar 'met-spatie.md'"},
      {"self-link", 0, "content/begrippen/de-klik.md:10:9: warning: [[de-klik]] verwijst naar dit begrip zelf"},
      {"shared-alias", 1, "content/begrippen/de-klik.md:3:11: error: alias 'hulpvrager' bestaat al"},
      {"over-size-limit", 1, "content/begrippen/groot.md: error: bestand is te groot",
       [](const fs::path& tmp) {
         std::string body;
         while (body.size() <= (1u << 20)) body += "Een woord en nog een woord. ";
         write_file(tmp / "content/begrippen/groot.md", entry("Groot", "", body));
       }},
      {"deep-blockquote", 0, "0 fout(en)",  // valid Markdown: must build without crashing
       [](const fs::path& tmp) {
         write_file(tmp / "content/begrippen/diep.md", entry("Diep", "", std::string(10000, '>') + " diep\n"));
       }},
      {"deep-list", 0, "0 fout(en)",
       [](const fs::path& tmp) {
         std::string list;
         for (int i = 0; i < 10000; ++i) list += "- ";
         write_file(tmp / "content/begrippen/diep.md", entry("Diep", "", list + "diep\n"));
       }},
      {"deep-yaml-flow", 1, "content/begrippen/diep.md:4:",
       [](const fs::path& tmp) {
         write_file(tmp / "content/begrippen/diep.md",
                    entry("Diep", "related: " + std::string(10000, '[') + std::string(10000, ']') + "\n", ""));
       }},
      {"symlink-loop", 1, "content/begrippen/lus: error: symbolische link kan niet worden gevolgd",
       [](const fs::path& tmp) { fs::create_symlink("lus", tmp / "content/begrippen/lus"); }},
      {"symlink-outside", 1, "content/begrippen/buiten.md: error: symbolische link wijst buiten de map content/",
       [](const fs::path& tmp) {
         write_file(tmp / "buiten/buiten.md", entry("Buiten", "", ""));
         fs::create_symlink(tmp / "buiten/buiten.md", tmp / "content/begrippen/buiten.md");
       }},
  };
  return all;
}

}  // namespace

TEST_CASE("malformed: every malformed lexicon fails cleanly and keeps the previous site") {
  for (const auto& c : cases()) {
    SUBCASE(c.name.c_str()) { run_case(c); }
  }
}
