#include "build_state.h"

#include <sys/stat.h>

#include <array>
#include <charconv>
#include <chrono>
#include <cstring>
#include <fstream>
#include <future>
#include <iterator>
#include <set>
#include <algorithm>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>
#include <git2.h>

#include "binary_io.h"
#include "indexer.h"
#include "search_schema.h"

namespace fs = std::filesystem;

namespace lexicon {

namespace {

// Bump when the meaning of a fingerprint changes without the binary changing (never, in practice:
// the binary identity is part of every fingerprint).
constexpr const char* format_line = "lexicon-build-state 1";

std::int64_t mtime_ns_of(const struct stat& st) {
  return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
}

std::string stat_identity(const fs::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return "-";
  return fmt::format("{}:{}:{}", static_cast<long long>(st.st_size), mtime_ns_of(st), static_cast<unsigned long long>(st.st_ino));
}

// Paths in the state file: one record per line, fields split by tabs.
void append_field(std::string& out, std::string_view s) {
  if (s.find_first_of("%\t\n\r") == std::string_view::npos) {  // nearly always
    out.append(s);
    return;
  }
  for (char c : s) {
    if (c == '%') out += "%25";
    else if (c == '\t') out += "%09";
    else if (c == '\n') out += "%0A";
    else if (c == '\r') out += "%0D";
    else out += c;
  }
}

std::string escape_field(std::string_view s) {
  std::string out;
  append_field(out, s);
  return out;
}

std::string unescape_field(std::string_view s) {
  if (s.find('%') == std::string_view::npos) return std::string(s);  // nearly always
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// A line's tab-separated fields, without allocating (50,000 lines at 10,000 entries). A line with more
// fields than any tag has reports one more than fits, so no size check passes.
struct Fields {
  static constexpr std::size_t most = 8;
  std::array<std::string_view, most> items;
  std::size_t count = 0;
  std::size_t size() const { return count; }
  std::string_view operator[](std::size_t k) const { return items[k]; }
};

Fields split_tabs(std::string_view line) {
  Fields out;
  std::size_t start = 0;
  for (;;) {
    if (out.count == Fields::most) {
      ++out.count;
      return out;
    }
    auto tab = line.find('\t', start);
    out.items[out.count++] = line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start);
    if (tab == std::string_view::npos) return out;
    start = tab + 1;
  }
}

// The whole field as a number, or an exception (a damaged state is not used).
template <class Number>
Number number_field(std::string_view text, int base = 10) {
  Number value{};
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (error != std::errc() || end != text.data() + text.size()) throw std::invalid_argument("build state: geen getal");
  return value;
}

std::string blob_hash(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return git_blob_id(s.str());
}


std::string absolute_string(const fs::path& p) {
  std::error_code ec;
  fs::path a = fs::weakly_canonical(fs::absolute(p, ec), ec);
  return a.generic_string();
}

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// fn(i) for every i < count, on `jobs` threads (at most 8), each taking every jobs-th index.
template <class Fn>
void for_each_sliced(std::size_t count, int jobs, const Fn& fn) {
  const std::size_t slices = static_cast<std::size_t>(std::clamp(jobs, 1, 8));
  std::vector<std::future<void>> others;
  for (std::size_t k = 1; k < slices; ++k) {
    others.push_back(std::async(std::launch::async, [&, k] {
      for (std::size_t i = k; i < count; i += slices) fn(i);
    }));
  }
  for (std::size_t i = 0; i < count; i += slices) fn(i);
  for (auto& other : others) other.get();
}

}  // namespace

// --- environment and inputs ------------------------------------------------------------------

BuildEnvironment current_environment(const fs::path& content_dir, const fs::path& templates_dir, bool internal_index) {
  BuildEnvironment env;
  env.binary = stat_identity("/proc/self/exe");
  env.content_dir = absolute_string(content_dir);
  env.templates_dir = absolute_string(templates_dir);
  env.internal_index = internal_index;
  GitLibrary git;
  git_repository* repo = nullptr;
  if (git_repository_open_ext(&repo, env.content_dir.c_str(), 0, nullptr) == 0) {
    git_oid oid;
    if (git_reference_name_to_id(&oid, repo, "HEAD") == 0) {
      char hex[GIT_OID_HEXSZ + 1];
      git_oid_tostr(hex, sizeof hex, &oid);
      env.head = hex;
    }
    env.git_index = stat_identity(fs::path(git_repository_path(repo)) / "index");
    git_repository_free(repo);
  }
  return env;
}

std::map<std::string, InputFile> scan_inputs(const fs::path& content_dir, const fs::path& templates_dir,
                                             const BuildState* previous, std::int64_t* scanned_ns, int jobs) {
  if (scanned_ns) *scanned_ns = now_ns();
  std::map<std::string, InputFile> out;
  // First the listing (one pass over each folder), then the stat of every file on `jobs` threads: at
  // 10,000 entries the stats were most of a no-op rebuild.
  struct Found {
    std::string key;
    fs::path path;
    bool link = false;
    const InputFile* before = nullptr;  // the same path in the previous state
    std::optional<InputFile> file;      // none: not a regular file
  };
  std::vector<Found> found;
  for (const auto& [label, root] : {std::pair<std::string, fs::path>{"content/", content_dir}, {"templates/", templates_dir}}) {
    std::error_code ec;
    auto it = fs::recursive_directory_iterator(root, ec);
    const std::string& root_text = root.native();
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      // The iterator's paths are root + "/" + relative path: cut, not lexically_relative (a tenth of a
      // no-op rebuild at 10,000 entries).
      const std::string& full = it->path().native();
      std::string key = label;
      if (full.starts_with(root_text) && full.size() > root_text.size()) {
        std::size_t from = root_text.size();
        while (from < full.size() && full[from] == '/') ++from;
        key.append(full, from);
      } else {
        key += it->path().lexically_relative(root).generic_string();
      }
      found.push_back({std::move(key), it->path(), it->is_symlink(ec), nullptr, std::nullopt});
    }
    // An unreadable folder: what is in it is unknown, so this can never count as unchanged.
    if (ec && fs::exists(root)) out[label + "!"] = InputFile{-1, 0, fmt::format("fout:{}:{}", ec.value(), now_ns())};
  }
  // In key order, the previous state is matched in one walk beside it (not a tree search per file) and
  // the result is built by appending.
  std::sort(found.begin(), found.end(), [](const Found& a, const Found& b) { return a.key < b.key; });
  if (previous) {
    auto p = previous->inputs.begin();
    for (auto& f : found) {
      while (p != previous->inputs.end() && p->first < f.key) ++p;
      if (p == previous->inputs.end()) break;
      if (p->first == f.key) f.before = &p->second;
    }
  }
  auto examine = [&](Found& f) {
    struct stat st {};
    if (::stat(f.path.c_str(), &st) != 0) {
      // A broken link or a loop: load_corpus reports it; recorded so that fixing it is a change.
      f.file = InputFile{-1, 0, fmt::format("onleesbaar:{}", errno)};
      return;
    }
    if (S_ISDIR(st.st_mode) && f.link) {
      // Not followed (it could lead anywhere, even in a circle): no build with one is a no-op.
      f.file = InputFile{-1, 0, fmt::format("map-link:{}", now_ns())};
      return;
    }
    if (!S_ISREG(st.st_mode)) return;
    InputFile file{static_cast<std::int64_t>(st.st_size), mtime_ns_of(st), {}};
    if (f.before && f.before->mtime_ns != 0 && f.before->size == file.size && f.before->mtime_ns == file.mtime_ns) {
      file.hash = f.before->hash;
    }
    if (file.hash.empty()) file.hash = blob_hash(f.path);
    f.file = std::move(file);
  };
  for_each_sliced(found.size(), jobs, [&](std::size_t i) { examine(found[i]); });
  for (auto& f : found) {
    if (f.file) out.insert_or_assign(out.end(), std::move(f.key), std::move(*f.file));
  }
  return out;
}

bool same_inputs(const std::map<std::string, InputFile>& a, const std::map<std::string, InputFile>& b) {
  if (a.size() != b.size()) return false;
  for (auto i = a.begin(), j = b.begin(); i != a.end(); ++i, ++j) {
    if (i->first != j->first || i->second.hash != j->second.hash) return false;
  }
  return true;
}

// --- the state file --------------------------------------------------------------------------

std::string serialise_build_state(const BuildState& s) {
  std::string out;
  out.reserve(64 * (s.inputs.size() + s.outputs.size() + s.documents.size()) + 1024);
  const auto& e = s.environment;
  out += format_line;
  out += "\n";
  out += fmt::format("binary\t{}\nhead\t{}\ngitindex\t{}\ncontent\t{}\ntemplates\t{}\nindex\t{}\nnote\t{}\nscanned\t{}\nindexglobal\t{:016x}\n",
                     e.binary, e.head, e.git_index, escape_field(e.content_dir), escape_field(e.templates_dir),
                     e.internal_index ? "internal" : "external", escape_field(s.history_note), s.scanned_ns,
                     s.index_global);
  // A file changed within the clock's granularity of the scan could change again unseen with the same
  // stat: its stat is not stored, so the next build hashes it again.
  constexpr std::int64_t racy_ns = 100'000'000;
  // Appended in place: 50,000 lines at 10,000 entries, a string each made this a tenth of an edit's work.
  auto into = std::back_inserter(out);
  for (const auto& [path, f] : s.inputs) {
    std::int64_t mtime = f.mtime_ns + racy_ns >= s.scanned_ns ? 0 : f.mtime_ns;
    out += "in\t";
    append_field(out, path);
    fmt::format_to(into, "\t{}\t{}\t{}\n", f.size, mtime, f.hash);
  }
  for (const auto& d : s.warnings.items) {
    out += fmt::format("diag\t{}\t{}\t{}\t{}\t{}\t{}\n", escape_field(d.path), d.line, d.column,
                       d.severity == Severity::error ? "error" : "warning", escape_field(d.message), escape_field(d.source_line));
  }
  // In path order, so the same state always gives the same bytes.
  std::vector<const std::pair<const std::string, Fingerprint>*> outputs;
  outputs.reserve(s.outputs.size());
  for (const auto& output : s.outputs) outputs.push_back(&output);
  std::sort(outputs.begin(), outputs.end(), [](const auto* a, const auto* b) { return a->first < b->first; });
  auto append_print = [&out](Fingerprint fp) {
    char buffer[24];
    auto end = fmt::format_to(buffer, "\t{:016x}\n", fp);
    out.append(buffer, end);
  };
  for (const auto* output : outputs) {
    out += "out\t";
    append_field(out, output->first);
    append_print(output->second);
  }
  for (const auto& [id, fp] : s.documents) {
    out += "doc\t";
    append_field(out, id);
    append_print(fp);
  }
  out += "end\n";
  return out;
}

std::optional<BuildState> read_build_state(const fs::path& site_dir, BuildStateScope scope) {
  // Mapped, not copied (megabytes at 10,000 entries, read three times by an edit).
  auto bytes = FileBytes::read(site_dir / build_state_path);
  if (!bytes) return std::nullopt;
  const std::string_view text = bytes->view();
  // The file is written whole (atomically) and ends with "end"; that is all a partial read needs to know.
  if (scope == BuildStateScope::inputs && !text.ends_with("\nend\n")) return std::nullopt;
  BuildState s;
  if (scope != BuildStateScope::inputs) s.outputs.reserve(text.size() / 64);  // an "out" line is longer
  bool ended = false, first = true;
  try {
    std::size_t pos = 0;
    while (pos < text.size()) {
      auto nl = text.find('\n', pos);
      if (nl == std::string::npos) return std::nullopt;
      std::string_view line(text.data() + pos, nl - pos);
      pos = nl + 1;
      if (first) {
        if (line != format_line) return std::nullopt;
        first = false;
        continue;
      }
      // Outputs and documents come last, and a no-op check does not need them.
      if (scope == BuildStateScope::inputs && (line.starts_with("out\t") || line.starts_with("doc\t"))) {
        ended = true;
        break;
      }
      if (scope == BuildStateScope::all_but_inputs && line.starts_with("in\t")) continue;
      auto f = split_tabs(line);
      const std::string_view tag = f[0];
      auto field = [&](std::size_t k) { return k < f.size() ? std::string(f[k]) : std::string(); };
      auto hex = [&](std::size_t k) { return number_field<Fingerprint>(k < f.size() ? f[k] : std::string_view(), 16); };
      if (tag == "binary") s.environment.binary = field(1);
      else if (tag == "head") s.environment.head = field(1);
      else if (tag == "gitindex") s.environment.git_index = field(1);
      else if (tag == "content") s.environment.content_dir = unescape_field(field(1));
      else if (tag == "templates") s.environment.templates_dir = unescape_field(field(1));
      else if (tag == "index") s.environment.internal_index = field(1) == "internal";
      else if (tag == "diag" && f.size() == 7) {
        s.warnings.items.push_back({unescape_field(f[1]), std::stoi(field(2)), std::stoi(field(3)),
                                    f[4] == "error" ? Severity::error : Severity::warning, unescape_field(f[5]),
                                    unescape_field(f[6])});
      }
      else if (tag == "note") s.history_note = unescape_field(field(1));
      else if (tag == "scanned") s.scanned_ns = std::stoll(field(1));
      else if (tag == "indexglobal") s.index_global = hex(1);
      else if (tag == "in" && f.size() == 5) {
        s.inputs.emplace(unescape_field(f[1]), InputFile{number_field<std::int64_t>(f[2]), number_field<std::int64_t>(f[3]), field(4)});
      } else if (tag == "out" && f.size() == 3) {
        s.outputs.emplace(unescape_field(f[1]), hex(2));
      } else if (tag == "doc" && f.size() == 3) {
        s.documents.emplace(unescape_field(f[1]), hex(2));
      } else if (tag == "end") {
        ended = true;
      } else {
        return std::nullopt;
      }
    }
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (!ended) return std::nullopt;
  return s;
}

// --- fingerprints ----------------------------------------------------------------------------

namespace {

struct Digests {
  const ParsedCorpus& parsed;
  const LinkGraph& graph;
  // Per entry, hashed once: what a list item showing it reads, and its slug. Pages and maps refer to
  // the same entries over and over (a map to its neighbours' links), so they add these digests.
  std::vector<Fingerprint> item, slug;
  std::vector<Fingerprint> outgoing;  // per entry: the slugs of the entries it links to, in link order
  // Per entry: the slugs of the entries linking to it, in entry order. The incoming lists go by title, so
  // a new title reorders those of the entries it links to: a theme map counts them (its entries' degrees),
  // and hashing them in title order rendered five theme pages more on a title edit at 10,000 entries.
  std::vector<Fingerprint> incoming_set;

  Digests(const ParsedCorpus& p, const LinkGraph& g) : parsed(p), graph(g) {
    for (const auto& e : p.corpus.entries) {
      item.push_back(Hasher().add(e.slug).add(e.title).add(e.title_lang).add(e.summary).value());
      slug.push_back(Hasher().add(e.slug).value());
    }
    for (std::size_t i = 0; i < p.corpus.entries.size(); ++i) {
      Hasher out;
      slugs(out, g.outgoing[i]);
      outgoing.push_back(out.value());
      std::vector<int> linking = g.incoming[i];
      std::sort(linking.begin(), linking.end());
      Hasher in_set;
      slugs(in_set, linking);
      incoming_set.push_back(in_set.value());
    }
  }
  const Corpus& corpus() const { return parsed.corpus; }

  // What a list item showing an entry reads: its URL, title (and language), summary.
  void ref(Hasher& h, int i) const { h.add(item[static_cast<std::size_t>(i)]); }
  void refs(Hasher& h, const std::vector<int>& list) const {
    h.add(static_cast<std::uint64_t>(list.size()));
    for (int i : list) ref(h, i);
  }
  void slugs(Hasher& h, const std::vector<int>& list) const {
    h.add(static_cast<std::uint64_t>(list.size()));
    for (int i : list) h.add(slug[static_cast<std::size_t>(i)]);
  }
  void source(Hasher& h, const Source& s) const {
    h.add(s.key).add(s.authors).add(s.year).add(s.title).add(s.container).add(s.publisher).add(s.place);
    h.add(s.pages).add(s.volume).add(s.issue).add(s.url).add(s.doi).add(s.type).add(s.note);
  }
  void cited(Hasher& h, const std::set<std::string>& keys) const {
    for (const auto& k : keys) {
      h.add(k);
      auto it = graph.source_index.find(k);
      if (it != graph.source_index.end()) source(h, corpus().sources[static_cast<std::size_t>(it->second)]);
      else h.add(std::uint64_t{0});
    }
  }
  void link_targets(Hasher& h, const std::vector<LinkTarget>& targets) const {
    h.add(static_cast<std::uint64_t>(targets.size()));
    for (const auto& t : targets) {
      h.add(static_cast<std::uint64_t>(t.kind)).add(t.anchor);
      if (t.kind == LinkTarget::entry) ref(h, t.index);
      if (t.kind == LinkTarget::page) {
        const auto& p = corpus().pages[static_cast<std::size_t>(t.index)];
        h.add(p.slug).add(p.summary);
      }
    }
  }
};

void revision(Hasher& h, const ContentHistory& history, std::size_t index) { h.add(history.commits[index].id); }

}  // namespace

Fingerprints fingerprint(const ParsedCorpus& parsed, const LinkGraph& graph, const TemplateSet& templates,
                         const ContentHistory* history, const std::map<std::string, InputFile>& inputs,
                         const std::string& binary, int jobs) {
  const Corpus& corpus = parsed.corpus;
  // The redirect plan slugifies every title and alias: made beside the hashing below.
  std::future<RedirectPlan> redirect_plan = std::async(jobs > 1 ? std::launch::async : std::launch::deferred,
                                                       [&] { return plan_redirects(corpus, history); });
  // So is the A–Z index (every title's and alias's collation key), which says which letter pages there are.
  std::future<AzIndex> az_job = std::async(jobs > 1 ? std::launch::async : std::launch::deferred,
                                           [&corpus, &graph] { return az_index(corpus, graph.title_keys); });
  const Digests d{parsed, graph};
  Fingerprints out;
  out.outputs.reserve(3 * corpus.entries.size() + corpus.pages.size() + corpus.themes.size() + 64);

  // Everything nearly every page reads: the binary, the templates, lexicon.yaml, themas.yaml.
  Hasher g;
  g.add(format_line).add(binary);
  for (const auto& [name, text] : templates.sources) g.add(name).add(text);
  const auto& c = corpus.config;
  g.add(c.title).add(c.subtitle).add(c.base_url).add(c.base_path).add(c.language).add(c.licence).add(c.editors);
  for (const auto& t : corpus.themes) g.add(t.slug).add(t.name).add(t.description).add(static_cast<std::uint64_t>(t.order));
  g.add(static_cast<std::uint64_t>(history != nullptr));
  if (history) g.add(static_cast<std::uint64_t>(history->available));
  const Fingerprint global = g.value();
  auto start = [&](std::string_view kind) {
    Hasher h;
    h.add(global).add(kind);
    return h;
  };

  // Titles, aliases and summaries of every entry (A–Z, suggestions, names resolved by removed pages).
  Hasher names_h;
  for (const auto& e : corpus.entries) {
    names_h.add(e.slug).add(e.title).add(e.title_lang).add(e.summary);
    names_h.add(static_cast<std::uint64_t>(e.aliases.size()));
    for (const auto& a : e.aliases) names_h.add(a.text).add(a.lang);
  }
  const Fingerprint names = names_h.value();
  Hasher pages_h;
  for (const auto& p : corpus.pages) pages_h.add(p.slug).add(p.title).add(p.summary);
  const Fingerprint pages = pages_h.value();
  Hasher lists_h;  // every theme's entries, as listed
  for (const auto& t : corpus.themes) {
    lists_h.add(t.slug);
    auto it = graph.theme_entries.find(t.slug);
    d.refs(lists_h, it == graph.theme_entries.end() ? std::vector<int>{} : it->second);
  }
  const Fingerprint lists = lists_h.value();
  Hasher sources_h;
  for (const auto& s : corpus.sources) d.source(sources_h, s);
  const Fingerprint sources = sources_h.value();

  // Entry pages: the bulk of the hashing, in slices on `jobs` threads, then recorded in order.
  std::vector<Fingerprint> entry_prints(corpus.entries.size());
  auto entry_print = [&](std::size_t i) {
    const Document& e = corpus.entries[i];
    const MarkdownDoc& doc = parsed.entry_docs[i];
    Hasher h = start("entry");
    h.add(e.slug).add(e.hash);
    d.link_targets(h, graph.entry_links[i]);
    std::set<std::string> keys(e.sources.begin(), e.sources.end());
    for (const auto& cit : doc.citations) keys.insert(cit.key);
    d.cited(h, keys);
    h.add("related");
    d.refs(h, graph.related[i]);
    h.add("backlinks");
    d.refs(h, graph.incoming[i]);
    // The concept map: the neighbours, and the links among them.
    h.add("map");
    for (const auto* list : {&graph.outgoing[i], &graph.incoming[i]}) {
      h.add(static_cast<std::uint64_t>(list->size()));
      for (int n : *list) {
        d.ref(h, n);
        h.add(d.outgoing[static_cast<std::size_t>(n)]);
      }
    }
    if (history) {
      if (const EntryHistory* eh = history->find(e.slug)) {
        h.add(static_cast<std::uint64_t>(eh->local_changes)).add(static_cast<std::uint64_t>(eh->revisions.size()));
        for (std::size_t r : eh->revisions) revision(h, *history, r);
      }
    }
    entry_prints[i] = h.value();
  };
  for_each_sliced(corpus.entries.size(), jobs, entry_print);
  for (std::size_t i = 0; i < corpus.entries.size(); ++i) {
    out.outputs[entry_path(corpus.entries[i].slug) + "index.html"] = entry_prints[i];
  }

  for (std::size_t i = 0; i < corpus.pages.size(); ++i) {
    const Document& p = corpus.pages[i];
    Hasher h = start("page");
    h.add(p.slug).add(p.hash);
    d.link_targets(h, graph.page_links[i]);
    std::set<std::string> keys;
    for (const auto& cit : parsed.page_docs[i].citations) keys.insert(cit.key);
    d.cited(h, keys);
    out.outputs[page_path(p.slug) + "index.html"] = h.value();
  }

  for (const auto& t : corpus.themes) {
    Hasher h = start("theme");
    h.add(t.slug);
    auto it = graph.theme_entries.find(t.slug);
    if (it != graph.theme_entries.end()) {
      d.refs(h, it->second);
      for (int n : it->second) {  // the theme's map: links among its entries, ranked by degree
        h.add(d.outgoing[static_cast<std::size_t>(n)]);
        h.add(d.incoming_set[static_cast<std::size_t>(n)]);
      }
    }
    out.outputs[theme_path(t.slug) + "index.html"] = h.value();
  }

  out.outputs["themas/index.html"] = start("themes").add(lists).value();
  out.outputs["index.html"] = start("home").add(lists).add(static_cast<std::uint64_t>(corpus.entries.size())).add(pages).value();
  out.az = az_job.get();
  const AzIndex& az = out.az;
  Fingerprint letters_present = 0;  // which letters have a page (the letter bar, the sitemap)
  if (!az.per_letter) {
    out.outputs["a-z/index.html"] = start("az").add(names).value();
  } else {
    // The overview shows each letter's counts and first and last name; a letter's page its rows and the
    // letter bar (which letters there are). A title edit renders the overview and one or two letters.
    Hasher bar;
    for (const AzLetter& letter : az.letters) bar.add(std::string_view(&letter.letter, 1));
    letters_present = bar.value();
    Hasher overview = start("az-overview");
    overview.add(letters_present);
    for (const AzLetter& letter : az.letters) {
      Hasher h = start("az-letter");
      h.add(letters_present).add(std::string_view(&letter.letter, 1));
      for (std::size_t k = letter.from; k < letter.to; ++k) {
        const AzRow& r = az.rows[k];
        const Document& e = corpus.entries[r.entry];
        h.add(e.slug).add(az_text(corpus, r)).add(az_lang(corpus, r)).add(static_cast<std::uint64_t>(r.alias >= 0));
        if (r.alias >= 0) h.add(e.title);
      }
      out.outputs[az_letter_path(letter.letter) + "index.html"] = h.value();
      overview.add(static_cast<std::uint64_t>(letter.titles)).add(static_cast<std::uint64_t>(letter.to - letter.from));
      overview.add(az_text(corpus, az.rows[letter.from])).add(az_text(corpus, az.rows[letter.to - 1]));
    }
    out.outputs["a-z/index.html"] = overview.value();
  }
  {
    Hasher h = start("sources");
    h.add(sources);
    for (const auto& [key, list] : graph.citing) {
      h.add(key);
      d.refs(h, list);
    }
    out.outputs["bronnen/index.html"] = h.value();
  }
  for (const char* fixed : {"404.html", ".lexicon/site.json", "zoeken/index.html", "begrippen/index.html"}) {
    out.outputs[fixed] = start(fixed).value();
  }
  out.outputs["zoeken/index.json"] = start("suggest").add(names).value();
  {
    Hasher h = start("sitemap");  // URLs only: a new title or summary leaves it as it is
    h.add(static_cast<std::uint64_t>(corpus.entries.size()));
    for (const auto& e : corpus.entries) h.add(e.slug);
    h.add(static_cast<std::uint64_t>(corpus.pages.size()));
    for (const auto& p : corpus.pages) h.add(p.slug);
    h.add(letters_present);
    out.outputs["sitemap.xml"] = h.value();
  }
  {
    Hasher h = start("skos");
    h.add(names).add(lists);
    for (std::size_t i = 0; i < corpus.entries.size(); ++i) {
      d.slugs(h, graph.related[i]);
      d.slugs(h, graph.outgoing[i]);
    }
    Fingerprint skos = h.value();
    out.outputs["skos.ttl"] = skos;
    out.outputs["skos.jsonld"] = skos;
  }

  out.entry_items = d.item;
  out.redirects = redirect_plan.get();
  const RedirectPlan& plan = out.redirects;
  for (const auto& [slug, index] : plan.redirects) {
    Hasher h = start("redirect");
    h.add(slug);
    d.ref(h, index);
    out.outputs[entry_path(slug) + "index.html"] = h.value();
  }
  Hasher changes_h;  // the whole history as /recent/ and the feed show it
  if (history) {
    changes_h.add(static_cast<std::uint64_t>(history->changes.size()));
    for (const auto& ch : history->changes) {
      revision(changes_h, *history, ch.commit);
      changes_h.add(ch.slug).add(static_cast<std::uint64_t>(ch.kind)).add(ch.old_slug);
    }
    for (const auto& r : history->removed) {
      changes_h.add(r.slug).add(r.title).add(r.related);
      revision(changes_h, *history, r.removed_in);
    }
    for (std::size_t k : plan.removed) {
      const RemovedEntry& r = history->removed[k];
      Hasher h = start("removed");
      h.add(r.slug).add(r.title).add(r.related).add(names);
      revision(h, *history, r.removed_in);
      out.outputs[entry_path(r.slug) + "index.html"] = h.value();
    }
  }
  const Fingerprint changes = changes_h.value();
  out.outputs["recent/index.html"] = start("recent").add(changes).add(names).value();
  out.outputs["feed.xml"] = start("feed").add(changes).add(names).value();

  // Copied files: their own content.
  for (const auto& [key, file] : inputs) {
    std::string path;
    if (key.starts_with("templates/static/")) path = key.substr(std::string("templates/").size());
    else if (key.starts_with("content/media/")) path = key.substr(std::string("content/").size());
    else if (key == "templates/search-results.mustache") path = ".lexicon/search-results.mustache";
    else continue;
    out.outputs[path] = Hasher().add("copy").add(binary).add(file.hash).value();
  }

  // The index: documents depend on their own text; anything shared (theme names, base path,
  // bronnen.yaml) goes into the global part, whose change means a full rebuild of the index. The
  // compound parts from all headwords are shared too, but build_index itself rebuilds just the
  // documents whose words a changed part can split (IndexUpdate).
  Hasher ig;
  ig.add(format_line).add(binary).add(c.base_path).add(sources);
  for (const auto& t : corpus.themes) ig.add(t.slug).add(t.name);
  out.index_global = ig.value();
  const std::string q = schema::unique_id;
  // An entry's or page's document is made from its own file alone: the file's blob id stands for its
  // parsed fields and text (hashing 10,000 texts again was a tenth of the fingerprints), with the text
  // itself only for a document loaded without one.
  for (std::size_t i = 0; i < corpus.entries.size(); ++i) {
    const Document& e = corpus.entries[i];
    Hasher h;
    h.add(e.slug);
    if (!e.hash.empty()) {
      h.add("file").add(e.hash);
    } else {
      std::string deferred;
      h.add(e.title).add(e.summary).add(e.themes).add(plain_text_of(parsed, e, parsed.entry_docs[i], deferred));
      for (const auto& a : e.aliases) h.add(a.text);
    }
    out.documents[q + schema::type_entry + ":" + e.slug] = h.value();
  }
  for (std::size_t i = 0; i < corpus.pages.size(); ++i) {
    const Document& p = corpus.pages[i];
    Hasher h;
    h.add(p.slug);
    if (!p.hash.empty()) h.add("file").add(p.hash);
    else {
      std::string deferred;
      h.add(p.title).add(p.summary).add(plain_text_of(parsed, p, parsed.page_docs[i], deferred));
    }
    out.documents[q + schema::type_page + ":" + p.slug] = h.value();
  }
  for (const auto& s : corpus.sources) {
    Hasher h;
    h.add(s.key);
    if (auto it = graph.citing.find(s.key); it != graph.citing.end()) d.refs(h, it->second);
    out.documents[q + schema::type_source + ":" + s.key] = h.value();
  }
  return out;
}

void add_verwant(Fingerprints& prints, const Corpus& corpus, const std::vector<std::vector<Suggestion>>& suggestions) {
  for (std::size_t i = 0; i < corpus.entries.size() && i < suggestions.size(); ++i) {
    Fingerprint& print = prints.outputs.at(entry_path(corpus.entries[i].slug) + "index.html");
    Hasher h;
    h.add(print).add("verwant").add(static_cast<std::uint64_t>(suggestions[i].size()));
    for (const auto& s : suggestions[i]) h.add(prints.entry_items.at(static_cast<std::size_t>(s.entry))).add(s.reason);
    print = h.value();
  }
}

}  // namespace lexicon
