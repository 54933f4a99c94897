// Incremental builds: after every kind of edit, the incremental build equals a clean build byte for
// byte (pages) and document for document (index); a no-op touches nothing; an edit re-renders only
// what shows the edited data.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>
#include <xapian.h>

#include "build.h"
#include "build_helpers.h"
#include "build_state.h"
#include "generation.h"
#include "search.h"

using namespace testutil;

namespace {

void git(const TempDir& tmp, const std::string& args, const std::string& date) {
  std::string env = "GIT_AUTHOR_NAME='Anna de Vries' GIT_AUTHOR_EMAIL=redactie@example.org"
                    " GIT_COMMITTER_NAME='Anna de Vries' GIT_COMMITTER_EMAIL=redactie@example.org"
                    " GIT_AUTHOR_DATE=" + shell_quote(date) + " GIT_COMMITTER_DATE=" + shell_quote(date) +
                    " GIT_CONFIG_NOSYSTEM=1 HOME=" + shell_quote(tmp.path().string());
  auto r = run(env + " git -c commit.gpgsign=false -c init.defaultBranch=main " + args, tmp.path(), tmp / "scratch");
  INFO(args << "\n" << r.out << r.err);
  REQUIRE(r.exit_code == 0);
}

void replace_in(const fs::path& file, const std::string& from, const std::string& to) {
  std::string text = read_file(file);
  auto p = text.find(from);
  INFO(file.string() << ": " << from);
  REQUIRE(p != std::string::npos);
  text.replace(p, from.size(), to);
  write_file(file, text);
}

// Everything a search can see: documents by docid with data, terms and wdf, values; metadata; spelling.
std::string dump_index(const fs::path& dir) {
  Xapian::Database db(dir.string());
  std::string out = "docs=" + std::to_string(db.get_doccount()) + " length=" + std::to_string(db.get_total_length()) + "\n";
  for (auto d = db.postlist_begin(""); d != db.postlist_end(""); ++d) {
    Xapian::Document doc = db.get_document(*d);
    out += "doc " + std::to_string(*d) + " len " + std::to_string(db.get_doclength(*d)) + "\n" + doc.get_data() + "\n";
    for (auto t = doc.termlist_begin(); t != doc.termlist_end(); ++t) out += *t + ":" + std::to_string(t.get_wdf()) + " ";
    out += "\n";
    for (auto v = doc.values_begin(); v != doc.values_end(); ++v) out += std::to_string(v.get_valueno()) + "=" + *v + ";";
    out += "\n";
  }
  for (auto t = db.allterms_begin(); t != db.allterms_end(); ++t) {
    out += *t + " tf=" + std::to_string(t.get_termfreq()) + " cf=" + std::to_string(db.get_collection_freq(*t)) + "\n";
  }
  for (auto k = db.metadata_keys_begin(); k != db.metadata_keys_end(); ++k) out += *k + "=" + db.get_metadata(*k) + "\n";
  for (auto s = db.spellings_begin(); s != db.spellings_end(); ++s) out += "spell " + *s + ":" + std::to_string(s.get_termfreq()) + "\n";
  return out;
}

std::string answers(const fs::path& index) {
  Xapian::Database db(index.string());
  std::string out;
  for (const char* q : {"presentie", "klik", "leefwereld", "zorg", "prezentie", "hulpvrager", "reflective practitioner",
                        "bewoner", "nabijheid", "ethiek", "baart"}) {
    lexicon::SearchOptions o;
    o.query = q;
    o.limit = 20;
    out += std::string(q) + " -> " + lexicon::to_json(lexicon::search(db, o)).dump() + "\n";
  }
  return out;
}

struct FileId {
  ino_t ino = 0;
  long long mtime_ns = 0;
  bool operator==(const FileId&) const = default;
};

FileId file_id(const fs::path& p) {
  struct stat st {};
  ::stat(p.c_str(), &st);
  return {st.st_ino, static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec};
}

// Every file of a site (index and build state aside) with its inode and mtime.
std::map<std::string, FileId> file_ids(const fs::path& site) {
  std::map<std::string, FileId> out;
  for (auto it = fs::recursive_directory_iterator(site); it != fs::recursive_directory_iterator(); ++it) {
    if (it->path().filename() == ".xapian") {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file()) out[fs::relative(it->path(), site).generic_string()] = file_id(it->path());
  }
  return out;
}

// Every folder of a site (index aside): a recycled generation must not keep folders a clean build lacks.
std::set<std::string> folders(const fs::path& site) {
  std::set<std::string> out;
  for (auto it = fs::recursive_directory_iterator(site); it != fs::recursive_directory_iterator(); ++it) {
    if (it->path().filename() == ".xapian") {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_directory()) out.insert(fs::relative(it->path(), site).generic_string());
  }
  return out;
}

struct Sequence {
  TempDir tmp{"incremental"};
  int commits = 0;
  int recycled = 0;  // incremental steps written over the spare generation

  Sequence() {
    copy_tree(fixtures_dir() / "good/content", tmp / "content");
    copy_tree(templates_dir(), tmp / "templates");
    fs::create_directories(tmp / "scratch");
    git(tmp, "init -q", "2024-01-01T10:00:00+01:00");
    commit("Eerste versie");
  }

  void commit(const std::string& message) {
    ++commits;
    std::string date = "2024-02-" + std::string(commits < 10 ? "0" : "") + std::to_string(commits) + "T10:00:00+01:00";
    git(tmp, "add -A content", date);
    git(tmp, "commit -q -m " + shell_quote(message), date);
  }

  lexicon::BuildOptions options(const std::string& site, bool clean) const {
    lexicon::BuildOptions o;
    o.content_dir = tmp / "content";
    o.site_dir = tmp / site;
    o.templates_dir = tmp / "templates";
    o.jobs = 2;
    o.clean = clean;
    return o;
  }

  // Incremental build into site/, clean build into clean/, then both compared in full. Returns the
  // incremental report and the outputs it wrote afresh (by inode: reused files keep theirs).
  std::pair<lexicon::BuildReport, std::set<std::string>> step(const std::string& what) {
    CAPTURE(what);
    auto before = fs::exists(tmp / "site") ? file_ids(tmp / "site") : std::map<std::string, FileId>{};
    auto previous = fs::exists(tmp / "site") ? snapshot(tmp / "site") : std::map<std::string, std::string>{};
    auto report = lexicon::run_build(options("site", false), false);
    REQUIRE_MESSAGE(report.exit_code == 0, all_diagnostics(report));
    if (!previous.empty() && !report.unchanged) {
      // The replaced generation, kept as the spare, is exactly what site/ was: the new one was written
      // over the spare before it without ever writing through a link shared with the live site.
      CHECK(snapshot(tmp / ".site.spare") == previous);
    }
    fs::remove_all(tmp / "clean");
    auto clean = lexicon::run_build(options("clean", true), false);
    REQUIRE_MESSAGE(clean.exit_code == 0, all_diagnostics(clean));
    CHECK(clean.reused == 0);
    // The build state records the (racy) stat of the inputs, so it is no output to compare.
    auto a = snapshot(tmp / "site", {".xapian", "build-state"});
    auto b = snapshot(tmp / "clean", {".xapian", "build-state"});
    std::string differences;
    for (const auto& [path, bytes] : b) {
      if (!a.count(path)) differences += "ontbreekt: " + path + "\n";
      else if (a[path] != bytes) differences += "verschilt: " + path + "\n";
    }
    for (const auto& [path, bytes] : a) {
      if (!b.count(path)) differences += "te veel: " + path + "\n";
    }
    CHECK_MESSAGE(differences.empty(), differences);
    CHECK(a.size() > 30);
    CHECK(folders(tmp / "site") == folders(tmp / "clean"));
    recycled += report.recycled;
    CHECK(dump_index(tmp / "site/.xapian") == dump_index(tmp / "clean/.xapian"));
    CHECK(answers(tmp / "site/.xapian") == answers(tmp / "clean/.xapian"));
    std::set<std::string> written;
    for (const auto& [path, id] : file_ids(tmp / "site")) {
      auto it = before.find(path);
      if (it == before.end() || !(it->second == id)) written.insert(path);
    }
    written.erase(".lexicon/build-state");
    // The caches: the term and history caches and the segment tables are rewritten by every build that writes a generation, the
    // parse cache's shards when one of their files changed (test_parse_cache checks which).
    std::erase_if(written, [](const std::string& path) { return path.starts_with(".lexicon/parse-cache/"); });
    written.erase(".lexicon/term-cache");
    written.erase(".lexicon/history-cache");
    written.erase(".lexicon/segments");  // compared above: the tables of kept outputs come along
    return {report, written};
  }
};

std::string joined(const std::set<std::string>& s) {
  std::string out;
  for (const auto& x : s) out += x + "\n";
  return out;
}

}  // namespace

TEST_CASE("incremental builds equal clean builds after edits, additions, renames, removals and template changes") {
  Sequence s;
  auto [first, first_written] = s.step("eerste build");
  CHECK(first.reused == 0);
  CHECK(first_written.size() == first.files);

  SUBCASE("the sequence") {
    // A body edit touches that entry's page (and its index document) only.
    replace_in(s.tmp / "content/begrippen/leefwereld.md", "De wereld zoals", "De wereld zoals");  // same text: no-op
    {
      auto [r, written] = s.step("niets veranderd");
      CHECK(r.unchanged);
      CHECK_MESSAGE(written.empty(), joined(written));
    }
    std::string text = read_file(s.tmp / "content/begrippen/casuistiek.md");
    write_file(s.tmp / "content/begrippen/casuistiek.md", text + "\nEen extra alinea over het bespreken van casussen.\n");
    {
      auto [r, written] = s.step("tekst van een begrip");
      CHECK_FALSE(r.unchanged);
      CHECK_MESSAGE(written == std::set<std::string>{"begrippen/casuistiek/index.html"}, joined(written));
      CHECK(r.rendered == 1);
      CHECK(r.reused + r.rendered == r.files);
      CHECK_FALSE(r.index_full);
      CHECK(r.index_documents == 1);
      CHECK(r.index_changed == 1);
    }
    s.commit("Casuïstiek uitgebreid");
    {
      auto [r, written] = s.step("commit (geschiedenis)");
      CHECK(written == std::set<std::string>{"begrippen/casuistiek/index.html", "feed.xml", "recent/index.html"});
      CHECK(r.index_changed == 0);
      // The spare generation's index is updated where it lies: it lacked the edit before the commit.
      CHECK(r.recycled);
      CHECK(r.index_documents == 1);
    }
    // A new title shows wherever the entry is listed or linked.
    replace_in(s.tmp / "content/begrippen/client.md", "title: Cliënt", "title: Cliënt of bewoner");
    {
      auto [r, written] = s.step("titel");
      CHECK(written.count("begrippen/client/index.html"));
      CHECK(written.count("a-z/index.html"));
      CHECK(written.count("begrippen/presentie/index.html"));  // links to it, Zie ook
      CHECK(written.count("zoeken/index.json"));
      CHECK(written.count("begrippen/client-of-bewoner/index.html"));  // the title's redirect
      CHECK_FALSE(written.count("begrippen/de-klik/index.html"));  // does not show it
      CHECK_FALSE(written.count("sitemap.xml"));  // URLs only
      CHECK_FALSE(written.count("static/style.css"));
    }
    // A title that moves the entry to the end of the lists of entries linking to Leefwereld (which go by
    // title): the theme of Leefwereld, whose map counts those links but lists no Cliënt, stays as it is.
    replace_in(s.tmp / "content/begrippen/client.md", "title: Cliënt of bewoner", "title: Zorgvrager");
    {
      auto [r, written] = s.step("titel, andere volgorde");
      CHECK(written.count("themas/kern/index.html"));
      CHECK(written.count("begrippen/leefwereld/index.html"));  // its backlinks, in the new order
      CHECK_FALSE(written.count("themas/ethiek/index.html"));
    }
    write_file(s.tmp / "content/begrippen/nabijheid.md",
               "---\ntitle: Nabijheid\nthemes: [kern]\nsummary: Dichtbij zijn zonder over te nemen.\n---\n"
               "Nabijheid hoort bij [[presentie]], bij de [[leefwereld]] en bij [[casuïstiek]].\n");
    replace_in(s.tmp / "content/begrippen/de-klik.md", "Zonder klik geen [[presentie]]", "Zonder klik geen [[presentie]] of [[nabijheid]]");
    {
      auto [r, written] = s.step("nieuw begrip");
      CHECK(written.count("begrippen/nabijheid/index.html"));
      CHECK(written.count("themas/kern/index.html"));
      CHECK(written.count("sitemap.xml"));
      CHECK_FALSE(written.count("bronnen/index.html"));
      // Its title brings a new compound part ("nabijheid"): only the documents with a word containing
      // it are rebuilt (its own, the entry that now links to it, those that already used the word).
      CHECK_FALSE(r.index_full);
      CHECK(r.index_documents >= 2);
      CHECK(r.index_documents < Xapian::Database((s.tmp / "clean/.xapian").string()).get_doccount());
    }
    s.commit("Nabijheid");
    s.step("commit");
    fs::rename(s.tmp / "content/begrippen/de-klik.md", s.tmp / "content/begrippen/klik.md");
    s.commit("De klik hernoemd");
    {
      auto [r, written] = s.step("hernoemd begrip");
      CHECK(written.count("begrippen/klik/index.html"));
      CHECK(fs::exists(s.tmp / "site/begrippen/de-klik/index.html"));  // the old URL redirects
    }
    fs::remove(s.tmp / "content/begrippen/zorgmijding.md");
    replace_in(s.tmp / "content/begrippen/leefwereld.md", "[[zorgmijding]]", "zorgmijding");
    replace_in(s.tmp / "content/begrippen/casuistiek.md", "[[zorgmijding|zorgmijder]]", "zorgmijder");
    replace_in(s.tmp / "content/begrippen/presentie.md", "[[Zorgmijding|zorgmijder]]", "zorgmijder");
    {
      auto [r, written] = s.step("verwijderd begrip, nog niet vastgelegd");
      CHECK_FALSE(fs::exists(s.tmp / "site/begrippen/zorgmijding/index.html"));
    }
    s.commit("Zorgmijding verwijderd");
    {
      auto [r, written] = s.step("verwijderd begrip");
      CHECK(written.count("begrippen/zorgmijding/index.html"));  // "Dit begrip is verwijderd"
    }
    replace_in(s.tmp / "templates/entry.mustache", "</article>", "</article>\n<!-- sjabloon gewijzigd -->");
    {
      auto [r, written] = s.step("sjabloon");
      CHECK(contains(read_file(s.tmp / "site/begrippen/presentie/index.html"), "sjabloon gewijzigd"));
    }
    replace_in(s.tmp / "templates/static/style.css", "}", "}\n/* gewijzigd */");
    {
      auto [r, written] = s.step("stijlblad");
      CHECK(written == std::set<std::string>{"static/style.css"});
    }
    replace_in(s.tmp / "content/lexicon.yaml", "subtitle: Een klein lexicon", "subtitle: Een heel klein lexicon");
    s.step("lexicon.yaml");
    replace_in(s.tmp / "content/themas.yaml", "Hoe het er in het dagelijks werk uitziet.", "Het dagelijks werk.");
    s.step("themas.yaml");
    replace_in(s.tmp / "content/bronnen.yaml", "title: The reflective practitioner", "title: The Reflective Practitioner");
    {
      auto [r, written] = s.step("bronnen.yaml");
      CHECK(written.count("bronnen/index.html"));
      CHECK(r.index_full);  // sources' words are in the shared part of the index
    }
    // A broken entry fails the build and changes nothing.
    auto before = file_ids(s.tmp / "site");
    auto state_before = read_file(s.tmp / "site/.lexicon/build-state");
    write_file(s.tmp / "content/begrippen/kapot.md", "---\ntitle: Kapot\nsummary: x\n---\nNaar [[bestaat-niet]].\n");
    auto broken = lexicon::run_build(s.options("site", false), false);
    CHECK(broken.exit_code == 1);
    CHECK(file_ids(s.tmp / "site") == before);
    CHECK(read_file(s.tmp / "site/.lexicon/build-state") == state_before);
    fs::remove(s.tmp / "content/begrippen/kapot.md");
    // No-op: nothing is touched, not even the site directory itself.
    auto site_dir = file_id(s.tmp / "site");
    auto [r, written] = s.step("niets veranderd");
    CHECK(r.unchanged);
    CHECK(written.empty());
    CHECK(file_id(s.tmp / "site") == site_dir);
    CHECK(file_ids(s.tmp / "site") == before);
    // From the second real rebuild on, each was written over the spare generation (the one before the
    // current), touching only what differed from it; the comparisons above held all the same.
    CHECK(s.recycled >= 10);
    // A spare whose build state cannot be read is not trusted: that build starts from an empty folder,
    // and the generation it replaces becomes the spare the next build recycles.
    write_file(s.tmp / ".site.spare/.lexicon/build-state", "lexicon-build-state 1\nkapot\n");
    replace_in(s.tmp / "content/begrippen/leefwereld.md", "De wereld zoals", "De wereld, zoals");
    CHECK_FALSE(s.step("reserve onleesbaar").first.recycled);
    replace_in(s.tmp / "content/begrippen/leefwereld.md", "De wereld, zoals", "De wereld zoals");
    CHECK(s.step("reserve weer bruikbaar").first.recycled);
  }
}

TEST_CASE("with a page per letter, a title edit renders only the A–Z pages that show it, as a clean build") {
  Sequence s;
  const fs::path config = s.tmp / "content/lexicon.yaml";
  write_file(config, read_file(config) + "az_per_letter_from: 0\n");
  s.step("A–Z per letter");
  for (const char* letter : {"c", "h", "k", "l", "p", "z"}) CHECK(fs::exists(s.tmp / "site/a-z" / letter / "index.html"));
  CHECK_FALSE(fs::exists(s.tmp / "site/a-z/b"));
  const std::string overview = read_file(s.tmp / "site/a-z/index.html");
  CHECK(contains(overview, "href=\"/a-z/k/\""));
  CHECK_FALSE(contains(overview, ">De klik</a>"));  // the rows are on the letter pages
  const std::string k = read_file(s.tmp / "site/a-z/k/index.html");
  CHECK(contains(k, ">De klik</a>"));
  CHECK(contains(k, "<span>Klant</span>: zie <a href=\"/begrippen/client/\">Cliënt</a>"));
  CHECK(contains(k, "href=\"/a-z/k/\" aria-current=\"page\""));
  CHECK(contains(read_file(s.tmp / "site/sitemap.xml"), "https://example.org/a-z/k/"));

  // Within its letter, and neither first nor last there: that letter's page only.
  replace_in(s.tmp / "content/begrippen/presentie.md", "title: Presentie", "title: Presentie (zorg)");
  {
    auto [r, written] = s.step("titel binnen een letter");
    std::set<std::string> az;
    for (const auto& path : written) if (path.starts_with("a-z/")) az.insert(path);
    CHECK_MESSAGE(az == std::set<std::string>{"a-z/p/index.html"}, joined(written));
    CHECK(contains(read_file(s.tmp / "site/a-z/p/index.html"), ">Presentie (zorg)</a>"));
  }
  // To a letter that had no page: the new page, and every page with the letter bar.
  replace_in(s.tmp / "content/begrippen/client.md", "title: Cliënt", "title: Bewoner");
  replace_in(s.tmp / "content/begrippen/client.md", "Klant]", "Klant, 24-uurszorg]");
  {
    auto [r, written] = s.step("titel naar een nieuwe letter");
    // Digits and other scripts: a page of their own, first in the bar.
    CHECK(contains(read_file(s.tmp / "site/a-z/overig/index.html"), "<span>24-uurszorg</span>: zie"));
    CHECK(contains(read_file(s.tmp / "site/a-z/index.html"), "<ul><li><a href=\"/a-z/overig/\">#</a></li><li><span aria-hidden=\"true\">A</span>"));
    for (const char* path : {"a-z/index.html", "a-z/b/index.html", "a-z/c/index.html", "a-z/z/index.html"}) {
      CHECK_MESSAGE(written.count(path), path);
    }
    CHECK(contains(read_file(s.tmp / "site/a-z/b/index.html"), ">Bewoner</a>"));
    CHECK_FALSE(contains(read_file(s.tmp / "site/a-z/c/index.html"), ">Cliënt</a>"));
    CHECK(written.count("sitemap.xml"));
  }
  // The last name under L goes: its page goes with it (the step compares folders with a clean build).
  replace_in(s.tmp / "content/begrippen/leefwereld.md", "title: Leefwereld", "title: Wereld van de ander");
  s.step("een letter leeg");
  CHECK_FALSE(fs::exists(s.tmp / "site/a-z/l"));
  // Back to one page: the letter pages go.
  replace_in(config, "az_per_letter_from: 0", "az_per_letter_from: 1000");
  s.step("A–Z op één pagina");
  CHECK_FALSE(fs::exists(s.tmp / "site/a-z/p"));
  CHECK(contains(read_file(s.tmp / "site/a-z/index.html"), ">Presentie (zorg)</a>"));
}

TEST_CASE("the build state survives a round trip, and a new binary or --clean renders everything") {
  TempDir tmp("state");
  REQUIRE(build_copy(tmp, "good").exit_code == 0);
  auto state = lexicon::read_build_state(tmp / "site");
  REQUIRE(state.has_value());
  CHECK(state->inputs.count("content/begrippen/presentie.md") == 1);
  CHECK(state->inputs.count("templates/layout.mustache") == 1);
  CHECK(state->outputs.count("begrippen/presentie/index.html") == 1);
  CHECK(state->documents.count("Qbegrip:presentie") == 1);
  CHECK(lexicon::serialise_build_state(*state) == read_file(tmp / "site/.lexicon/build-state"));
  // What the no-op check reads: everything but the outputs and index documents.
  auto inputs_only = lexicon::read_build_state(tmp / "site", lexicon::BuildStateScope::inputs);
  REQUIRE(inputs_only.has_value());
  CHECK(inputs_only->environment == state->environment);
  CHECK(inputs_only->inputs == state->inputs);
  CHECK(inputs_only->warnings.items.size() == state->warnings.items.size());
  CHECK(inputs_only->outputs.empty());
  CHECK(inputs_only->documents.empty());
  // What an edit reads besides (the inputs it has already): everything else.
  auto rest = lexicon::read_build_state(tmp / "site", lexicon::BuildStateScope::all_but_inputs);
  REQUIRE(rest.has_value());
  CHECK(rest->inputs.empty());
  CHECK(rest->environment == state->environment);
  CHECK(rest->scanned_ns == state->scanned_ns);
  CHECK(rest->outputs == state->outputs);
  CHECK(rest->documents == state->documents);
  CHECK(rest->index_global == state->index_global);
  {
    // A state cut short (no "end") is refused by the partial read too.
    std::string text = read_file(tmp / "site/.lexicon/build-state");
    write_file(tmp / "cut/.lexicon/build-state", text.substr(0, text.size() - 4));
    CHECK_FALSE(lexicon::read_build_state(tmp / "cut", lexicon::BuildStateScope::inputs).has_value());
    CHECK_FALSE(lexicon::read_build_state(tmp / "cut").has_value());
  }
  // A state written by another binary: its fingerprints (which include the binary) all differ.
  state->environment.binary = "ander";
  for (auto& [path, fp] : state->outputs) fp ^= 1;
  write_file(tmp / "site/.lexicon/build-state", lexicon::serialise_build_state(*state));
  auto again = build_copy(tmp, "good", "site", false);
  CHECK_FALSE(again.unchanged);
  CHECK(again.reused == 0);
  lexicon::BuildOptions o;
  o.content_dir = tmp / "content";
  o.site_dir = tmp / "site";
  o.templates_dir = templates_dir();
  CHECK(lexicon::run_build(o, false).unchanged);
  o.clean = true;
  auto clean = lexicon::run_build(o, false);
  CHECK_FALSE(clean.unchanged);
  CHECK(clean.reused == 0);
  // A damaged state is ignored (full build), never trusted.
  write_file(tmp / "site/.lexicon/build-state", "lexicon-build-state 1\nin\tx\n");
  CHECK_FALSE(lexicon::read_build_state(tmp / "site").has_value());
  o.clean = false;
  CHECK(lexicon::run_build(o, false).reused == 0);
}

TEST_CASE("an output removed from site/ by hand is rendered again by the next incremental build") {
  TempDir tmp("removed-output");
  REQUIRE(build_copy(tmp, "good").exit_code == 0);
  const std::string page = read_file(tmp / "site/begrippen/presentie/index.html");
  fs::remove(tmp / "site/begrippen/presentie/index.html");
  // Another entry changes, so the build is not a no-op; presentie's page would be reused by a link.
  write_file(tmp / "content/begrippen/leefwereld.md",
             read_file(tmp / "content/begrippen/leefwereld.md") + "\nEen zin erbij.\n");
  auto report = build_copy(tmp, "good", "site", false);
  REQUIRE_MESSAGE(report.exit_code == 0, all_diagnostics(report));
  CHECK(report.reused == 0);  // the missing link target sent it back to rendering everything
  REQUIRE(fs::exists(tmp / "site/begrippen/presentie/index.html"));
  CHECK(read_file(tmp / "site/begrippen/presentie/index.html") == page);
  CHECK(contains(read_file(tmp / "site/begrippen/leefwereld/index.html"), "Een zin erbij."));
}

TEST_CASE("an edit that changes other entries' Verwant lists renders their pages again, as a clean build") {
  TempDir tmp("verwant-pages");
  copy_tree(source_dir() / "content", tmp / "content");
  auto options = [&](const std::string& site, bool clean) {
    lexicon::BuildOptions o;
    o.content_dir = tmp / "content";
    o.site_dir = tmp / site;
    o.templates_dir = templates_dir();
    o.jobs = 2;
    o.clean = clean;
    return o;
  };
  REQUIRE(lexicon::run_build(options("site", true), false).exit_code == 0);
  auto before = snapshot(tmp / "site", {".xapian", ".lexicon"});
  // A rare word of one entry and a common one, written into another: Verwant changes for entries the
  // edited file's own page does not show.
  const fs::path edited = tmp / "content/begrippen/presentie.md";
  write_file(edited, read_file(edited) + "\nZorgmijding: mijden en nog eens mijden, wederzijds en wederzijds.\n");
  auto report = lexicon::run_build(options("site", false), false);
  REQUIRE_MESSAGE(report.exit_code == 0, all_diagnostics(report));
  REQUIRE(lexicon::run_build(options("clean", true), false).exit_code == 0);
  auto after = snapshot(tmp / "site", {".xapian", ".lexicon"});
  auto clean = snapshot(tmp / "clean", {".xapian", ".lexicon"});
  auto verwant_of = [](const std::string& html) {
    auto from = html.find("<h2 id=\"verwant\">");
    return from == std::string::npos ? std::string() : html.substr(from, html.find("</section>", from) - from);
  };
  std::vector<std::string> changed;
  for (const auto& [path, html] : clean) {
    if (!path.starts_with("begrippen/") || path == "begrippen/presentie/index.html") continue;
    if (before.count(path) && verwant_of(before[path]) != verwant_of(html)) changed.push_back(path);
  }
  INFO(changed.size() << " andere pagina's met een ander Verwant");
  REQUIRE(!changed.empty());
  for (const auto& path : changed) {
    const bool same = after[path] == clean[path];
    CHECK_MESSAGE(same, path);
  }
  CHECK(after == clean);
  CHECK(report.rendered < report.files / 2);
}

TEST_CASE("the spare generation is recycled when few of its outputs differ, not after a change to most pages") {
  // A one-entry edit at 10,000 entries: 27 of 30,026 outputs differ; a template or binary change: all.
  CHECK(lexicon::recycling_pays_off(27, 30026));
  CHECK(lexicon::recycling_pays_off(6000, 30026));
  CHECK_FALSE(lexicon::recycling_pays_off(6100, 30026));
  CHECK_FALSE(lexicon::recycling_pays_off(30026, 30026));
  // A small site: a few hundred replacements cost next to nothing either way.
  CHECK(lexicon::recycling_pays_off(38, 38));
  CHECK_FALSE(lexicon::recycling_pays_off(300, 300));
}

TEST_CASE("a build that recycles nothing keeps the nearer of the two generations it leaves as the spare") {
  TempDir tmp("nearer-spare");
  REQUIRE(build_copy(tmp, "good").exit_code == 0);
  const fs::path entry = tmp / "content/begrippen/leefwereld.md";
  const std::string original = read_file(entry);
  auto outputs_of = [](const fs::path& dir) {
    auto state = lexicon::read_build_state(dir);
    REQUIRE(state.has_value());
    return state->outputs;
  };
  lexicon::BuildOptions o;
  o.content_dir = tmp / "content";
  o.site_dir = tmp / "site";
  o.templates_dir = templates_dir();
  auto build = [&](bool clean) {
    o.clean = clean;
    auto report = lexicon::run_build(o, false);
    REQUIRE_MESSAGE(report.exit_code == 0, all_diagnostics(report));
    return report;
  };
  // A body edit, then a title edit: the body edit's generation becomes the spare.
  write_file(entry, original + "\nEen zin erbij.\n");
  build(false);
  const auto body_edit = outputs_of(tmp / "site");
  replace_in(entry, "title: Leefwereld\n", "title: Leefwereld anders\n");
  build(false);
  REQUIRE(outputs_of(tmp / ".site.spare") == body_edit);
  // The title edit undone, then a clean build, which recycles nothing: it builds the body edit's
  // generation again, so that spare stays and the title edit's generation is deleted.
  replace_in(entry, "title: Leefwereld anders\n", "title: Leefwereld\n");
  build(true);
  REQUIRE(outputs_of(tmp / "site") == body_edit);
  CHECK(outputs_of(tmp / ".site.spare") == body_edit);
  // The next edit recycles it: only the edited entry's own outputs differ from it.
  write_file(entry, original + "\nEen andere zin.\n");
  auto edit = build(false);
  CHECK(edit.recycled);
  CHECK(edit.rendered < 10);
  // A clean build right after an edit: the generation it replaces is the same as it, and becomes the spare.
  const auto after_edit = outputs_of(tmp / "site");
  CHECK(outputs_of(tmp / ".site.spare") == body_edit);
  build(true);
  CHECK(outputs_of(tmp / ".site.spare") == after_edit);
}

TEST_CASE("one build at a time per site: a second waits for the first's lock, and is told who holds it") {
  TempDir tmp("generation-lock");
  const fs::path site = tmp / "site";
  auto first = std::make_unique<lexicon::GenerationLock>(site, [](long) { FAIL("the first lock had to wait"); });
  CHECK(fs::exists(tmp / ".site.lock"));
  std::promise<long> waiting;
  std::atomic<bool> second_taken{false};
  std::thread second([&] {
    lexicon::GenerationLock lock(site, [&](long holder) { waiting.set_value(holder); });
    second_taken = true;
  });
  // The second lock found the first one's process id in the lock file, and does not get the lock while
  // the first one holds it.
  CHECK(waiting.get_future().get() == static_cast<long>(::getpid()));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK_FALSE(second_taken.load());
  first.reset();
  second.join();
  CHECK(second_taken.load());

  // A whole build waits too: it would otherwise take this build's staging directory for a killed one's.
  REQUIRE(build_copy(tmp, "good").exit_code == 0);
  auto held = std::make_unique<lexicon::GenerationLock>(site, [](long) { FAIL("nothing else holds the lock"); });
  write_file(tmp / "content/begrippen/leefwereld.md", read_file(tmp / "content/begrippen/leefwereld.md") + "\nNog een zin.\n");
  lexicon::BuildOptions o;
  o.content_dir = tmp / "content";
  o.site_dir = site;
  o.templates_dir = templates_dir();
  auto build = std::async(std::launch::async, [&] { return lexicon::run_build(o, false); });
  CHECK(build.wait_for(std::chrono::milliseconds(500)) == std::future_status::timeout);
  CHECK_FALSE(contains(read_file(site / "begrippen/leefwereld/index.html"), "Nog een zin."));
  held.reset();
  auto report = build.get();
  REQUIRE_MESSAGE(report.exit_code == 0, all_diagnostics(report));
  CHECK(contains(read_file(site / "begrippen/leefwereld/index.html"), "Nog een zin."));
}
