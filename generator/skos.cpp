#include "skos.h"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "escape.h"

namespace lexicon {

std::string turtle_string(std::string_view text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7f) out += fmt::format("\\u{:04X}", static_cast<unsigned>(c));
        else out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string turtle_iri(std::string_view iri) {
  std::string out = "<";
  for (unsigned char c : iri) {
    if (c <= 0x20 || c == '<' || c == '>' || c == '"' || c == '{' || c == '}' || c == '|' || c == '^' || c == '`' ||
        c == '\\' || c == 0x7f) {
      out += fmt::format("%{:02X}", static_cast<unsigned>(c));
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + ">";
}

namespace {
// What both serialisations share: the scheme's IRIs, each entry's related entries, and the fingerprints of
// the segments (segments.h): each entry's and each theme's node is one, so a title edit copies all other
// nodes from the current file. Each entry's IRI is made (and escaped) once, when first needed, and each
// node is written straight into the output.
struct Scheme {
  const Corpus& corpus;
  const LinkGraph& graph;
  const PreviousOutput* previous;
  const SiteConfig& config = corpus.config;
  // IRIs are the pages' URLs; with a path-only base_url they are relative to the document.
  std::string base = config.base_url;
  std::string lang = config.language.empty() ? "nl" : config.language;
  std::vector<std::string> iris = std::vector<std::string>(corpus.entries.size());  // by entry, escaped; "" until made

  std::string entry_iri(std::size_t i) const { return base + entry_path(corpus.entries[i].slug); }
  template <class Escape>
  const std::string& iri(std::size_t i, Escape escape) {
    if (iris[i].empty()) iris[i] = escape(entry_iri(i));
    return iris[i];
  }
  // The IRIs of `list`, each between `before` and `after`, separated by `separator`.
  template <class Escape>
  void append_iris(std::string& out, const std::vector<int>& list, Escape escape, std::string_view separator,
                   std::string_view before = "", std::string_view after = "") {
    for (std::size_t k = 0; k < list.size(); ++k) {
      if (k) out += separator;
      out += before;
      out += iri(static_cast<std::size_t>(list[k]), escape);
      out += after;
    }
  }
  // Zie ook and the entries linked to, without the entry itself, in entry order.
  void related_of(std::size_t i, std::vector<int>& out) const {
    out.assign(graph.related[i].begin(), graph.related[i].end());
    out.insert(out.end(), graph.outgoing[i].begin(), graph.outgoing[i].end());
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    std::erase(out, static_cast<int>(i));
  }
  // Everything an entry's node is made of, in either format (the format, base URL and language are the
  // table's context).
  Fingerprint concept_print(std::size_t i, const std::vector<int>& related) const {
    const Document& e = corpus.entries[i];
    Hasher h;
    h.add(e.slug).add(e.title).add(e.summary).add(static_cast<std::uint64_t>(e.aliases.size()));
    for (const auto& a : e.aliases) h.add(a.text).add(a.lang);
    h.add(static_cast<std::uint64_t>(related.size()));
    for (int r : related) h.add(corpus.entries[static_cast<std::size_t>(r)].slug);
    return h.value();
  }
  const std::vector<int> no_members = {};
  const std::vector<int>& members_of(const Theme& th) const {
    auto it = graph.theme_entries.find(th.slug);
    return it == graph.theme_entries.end() ? no_members : it->second;
  }
  Fingerprint theme_print(const Theme& th) const {
    Hasher h;
    h.add(th.slug).add(th.name).add(th.description);
    const auto& members = members_of(th);
    h.add(static_cast<std::uint64_t>(members.size()));
    for (int m : members) h.add(corpus.entries[static_cast<std::size_t>(m)].slug);
    return h.value();
  }
  Fingerprint context(std::string_view format) const { return Hasher().add(format).add(base).add(lang).value(); }

  OutputFile turtle() {
    auto escape = [](const std::string& text) { return turtle_iri(text); };
    const std::string scheme_iri = turtle_iri(base);
    SegmentedText segmented(context("skos.ttl 1"), previous);
    std::string& ttl = segmented.text;
    ttl += "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n";
    ttl += "@prefix dct: <http://purl.org/dc/terms/> .\n\n";
    auto lit = [&](std::string& out, const std::string& text, const std::string& l) {
      out += turtle_string(text);
      out += '@';
      out += l.empty() ? lang : l;
    };
    ttl += scheme_iri + " a skos:ConceptScheme ;\n  skos:prefLabel ";
    lit(ttl, config.title, "");
    if (!config.subtitle.empty()) {
      ttl += " ;\n  dct:description ";
      lit(ttl, config.subtitle, "");
    }
    if (!config.licence.empty()) ttl += " ;\n  dct:license " + turtle_string(config.licence);
    ttl += " .\n";
    std::vector<int> rel;
    for (std::size_t i = 0; i < corpus.entries.size(); ++i) {
      related_of(i, rel);
      segmented.segment(concept_print(i, rel), [&](std::string& out) {
        const Document& e = corpus.entries[i];
        out += '\n';
        out += iri(i, escape);
        out += " a skos:Concept ;\n  skos:inScheme ";
        out += scheme_iri;
        out += " ;\n  skos:prefLabel ";
        lit(out, e.title, "");
        if (!e.aliases.empty()) {
          out += " ;\n  skos:altLabel ";
          for (std::size_t k = 0; k < e.aliases.size(); ++k) {
            if (k) out += ", ";
            lit(out, e.aliases[k].text, e.aliases[k].lang);
          }
        }
        if (!e.summary.empty()) {
          out += " ;\n  skos:definition ";
          lit(out, e.summary, "");
        }
        if (!rel.empty()) {
          out += " ;\n  skos:related ";
          append_iris(out, rel, escape, ", ");
        }
        out += " .\n";
      });
    }
    for (const auto& th : corpus.themes) {
      segmented.segment(theme_print(th), [&](std::string& out) {
        out += "\n" + turtle_iri(base + theme_path(th.slug)) + " a skos:Collection ;\n  skos:prefLabel ";
        lit(out, th.name, "");
        if (!th.description.empty()) {
          out += " ;\n  skos:definition ";
          lit(out, th.description, "");
        }
        const auto& members = members_of(th);
        if (!members.empty()) {
          out += " ;\n  skos:member ";
          append_iris(out, members, escape, ", ");
        }
        out += " .\n";
      });
    }
    return segmented_output("skos.ttl", std::move(segmented));
  }

  OutputFile jsonld() {
    // JSON-LD: the same graph, one node per line, each node's keys in byte order (as nlohmann's objects
    // write them). The entries' and themes' nodes are put together here (strings by json_string), as
    // writing each through a json object was most of this file's time.
    using nlohmann::json;
    auto escape = [](const std::string& text) { return json_string(text); };
    json context_object = {{"skos", "http://www.w3.org/2004/02/skos/core#"}, {"dct", "http://purl.org/dc/terms/"}, {"@language", lang}};
    SegmentedText segmented(context("skos.jsonld 1"), previous);
    std::string& out = segmented.text;
    out += "{\"@context\":" + context_object.dump() + ",\"@graph\":[\n";
    json scheme = {{"@id", base}, {"@type", "skos:ConceptScheme"}, {"skos:prefLabel", config.title}};
    if (!config.subtitle.empty()) scheme["dct:description"] = config.subtitle;
    if (!config.licence.empty()) scheme["dct:license"] = json{{"@value", config.licence}, {"@language", nullptr}};
    out += scheme.dump();
    const std::string in_scheme = "{\"@id\":" + json_string(base) + "}";
    auto literal = [&](std::string& node, const std::string& text, const std::string& l) {
      if (l.empty() || l == lang) node += json_string(text);
      else node += "{\"@language\":" + json_string(l) + ",\"@value\":" + json_string(text) + "}";
    };
    std::vector<int> rel;
    for (std::size_t i = 0; i < corpus.entries.size(); ++i) {
      related_of(i, rel);
      out += ",\n";
      segmented.segment(concept_print(i, rel), [&](std::string& node) {
        const Document& e = corpus.entries[i];
        node += "{\"@id\":" + iri(i, escape) + ",\"@type\":\"skos:Concept\"";
        if (!e.aliases.empty()) {
          node += ",\"skos:altLabel\":[";
          for (std::size_t k = 0; k < e.aliases.size(); ++k) {
            if (k) node += ',';
            literal(node, e.aliases[k].text, e.aliases[k].lang);
          }
          node += ']';
        }
        if (!e.summary.empty()) node += ",\"skos:definition\":" + json_string(e.summary);
        node += ",\"skos:inScheme\":" + in_scheme + ",\"skos:prefLabel\":" + json_string(e.title);
        if (!rel.empty()) {
          node += ",\"skos:related\":[";
          append_iris(node, rel, escape, ",", "{\"@id\":", "}");
          node += ']';
        }
        node += '}';
      });
    }
    // The themes likewise (their members are every entry, some twice: 20,000 at 10,000 entries).
    for (const auto& th : corpus.themes) {
      out += ",\n";
      segmented.segment(theme_print(th), [&](std::string& node) {
        node += "{\"@id\":" + json_string(base + theme_path(th.slug)) + ",\"@type\":\"skos:Collection\"";
        if (!th.description.empty()) node += ",\"skos:definition\":" + json_string(th.description);
        const auto& members = members_of(th);
        if (!members.empty()) {
          node += ",\"skos:member\":[";
          append_iris(node, members, escape, ",", "{\"@id\":", "}");
          node += ']';
        }
        node += ",\"skos:prefLabel\":" + json_string(th.name) + '}';
      });
    }
    out += "\n]}\n";
    return segmented_output("skos.jsonld", std::move(segmented));
  }
};
}  // namespace

OutputFile skos_turtle(const ParsedCorpus& parsed, const LinkGraph& graph, const PreviousOutput* previous) {
  return Scheme{parsed.corpus, graph, previous}.turtle();
}
OutputFile skos_jsonld(const ParsedCorpus& parsed, const LinkGraph& graph, const PreviousOutput* previous) {
  return Scheme{parsed.corpus, graph, previous}.jsonld();
}

}  // namespace lexicon
