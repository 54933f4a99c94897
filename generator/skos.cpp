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
// What both serialisations share: the scheme's IRIs and each entry's related entries. At 10,000 entries
// both files are written again on every title edit: each entry's IRI is made (and escaped) once, not once
// per mention, and each node is written straight into the output.
struct Scheme {
  const Corpus& corpus;
  const LinkGraph& graph;
  const SiteConfig& config = corpus.config;
  // IRIs are the pages' URLs; with a path-only base_url they are relative to the document.
  std::string base = config.base_url;
  std::string lang = config.language.empty() ? "nl" : config.language;

  std::string entry_iri(std::size_t i) const { return base + entry_path(corpus.entries[i].slug); }
  // Zie ook and the entries linked to, without the entry itself, in entry order.
  void related_of(std::size_t i, std::vector<int>& out) const {
    out.assign(graph.related[i].begin(), graph.related[i].end());
    out.insert(out.end(), graph.outgoing[i].begin(), graph.outgoing[i].end());
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    std::erase(out, static_cast<int>(i));
  }

  OutputFile turtle() const {
    std::vector<std::string> iris;
    iris.reserve(corpus.entries.size());
    for (std::size_t i = 0; i < corpus.entries.size(); ++i) iris.push_back(turtle_iri(entry_iri(i)));
    const std::string scheme_iri = turtle_iri(base);
    std::string ttl;
    ttl += "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n";
    ttl += "@prefix dct: <http://purl.org/dc/terms/> .\n\n";
    auto lit = [&](const std::string& text, const std::string& l) {
      ttl += turtle_string(text);
      ttl += '@';
      ttl += l.empty() ? lang : l;
    };
    ttl += scheme_iri + " a skos:ConceptScheme ;\n  skos:prefLabel ";
    lit(config.title, "");
    if (!config.subtitle.empty()) {
      ttl += " ;\n  dct:description ";
      lit(config.subtitle, "");
    }
    if (!config.licence.empty()) ttl += " ;\n  dct:license " + turtle_string(config.licence);
    ttl += " .\n";
    std::vector<int> rel;
    for (std::size_t i = 0; i < corpus.entries.size(); ++i) {
      const Document& e = corpus.entries[i];
      ttl += '\n';
      ttl += iris[i];
      ttl += " a skos:Concept ;\n  skos:inScheme ";
      ttl += scheme_iri;
      ttl += " ;\n  skos:prefLabel ";
      lit(e.title, "");
      if (!e.aliases.empty()) {
        ttl += " ;\n  skos:altLabel ";
        for (std::size_t k = 0; k < e.aliases.size(); ++k) {
          if (k) ttl += ", ";
          lit(e.aliases[k].text, e.aliases[k].lang);
        }
      }
      if (!e.summary.empty()) {
        ttl += " ;\n  skos:definition ";
        lit(e.summary, "");
      }
      related_of(i, rel);
      if (!rel.empty()) {
        ttl += " ;\n  skos:related ";
        for (std::size_t k = 0; k < rel.size(); ++k) {
          if (k) ttl += ", ";
          ttl += iris[static_cast<std::size_t>(rel[k])];
        }
      }
      ttl += " .\n";
    }
    for (const auto& th : corpus.themes) {
      ttl += "\n" + turtle_iri(base + theme_path(th.slug)) + " a skos:Collection ;\n  skos:prefLabel ";
      lit(th.name, "");
      if (!th.description.empty()) {
        ttl += " ;\n  skos:definition ";
        lit(th.description, "");
      }
      auto it = graph.theme_entries.find(th.slug);
      if (it != graph.theme_entries.end() && !it->second.empty()) {
        ttl += " ;\n  skos:member ";
        for (std::size_t k = 0; k < it->second.size(); ++k) {
          if (k) ttl += ", ";
          ttl += iris[static_cast<std::size_t>(it->second[k])];
        }
      }
      ttl += " .\n";
    }
    return {"skos.ttl", std::move(ttl)};
  }

  OutputFile jsonld() const {
    // JSON-LD: the same graph, one node per line, each node's keys in byte order (as nlohmann's objects
    // write them). The entries' and themes' nodes are put together here (strings by json_string), as
    // writing each through a json object was most of this file's time; each entry's IRI is escaped once.
    using nlohmann::json;
    std::vector<std::string> iris;  // by entry, as JSON strings
    iris.reserve(corpus.entries.size());
    for (std::size_t i = 0; i < corpus.entries.size(); ++i) iris.push_back(json_string(entry_iri(i)));
    json context = {{"skos", "http://www.w3.org/2004/02/skos/core#"}, {"dct", "http://purl.org/dc/terms/"}, {"@language", lang}};
    std::string out = "{\"@context\":" + context.dump() + ",\"@graph\":[\n";
    json scheme = {{"@id", base}, {"@type", "skos:ConceptScheme"}, {"skos:prefLabel", config.title}};
    if (!config.subtitle.empty()) scheme["dct:description"] = config.subtitle;
    if (!config.licence.empty()) scheme["dct:license"] = json{{"@value", config.licence}, {"@language", nullptr}};
    out += scheme.dump();
    const std::string in_scheme = "{\"@id\":" + json_string(base) + "}";
    auto literal = [&](const std::string& text, const std::string& l) {
      if (l.empty() || l == lang) out += json_string(text);
      else out += "{\"@language\":" + json_string(l) + ",\"@value\":" + json_string(text) + "}";
    };
    std::vector<int> rel;
    for (std::size_t i = 0; i < corpus.entries.size(); ++i) {
      const Document& e = corpus.entries[i];
      out += ",\n{\"@id\":" + iris[i] + ",\"@type\":\"skos:Concept\"";
      if (!e.aliases.empty()) {
        out += ",\"skos:altLabel\":[";
        for (std::size_t k = 0; k < e.aliases.size(); ++k) {
          if (k) out += ',';
          literal(e.aliases[k].text, e.aliases[k].lang);
        }
        out += ']';
      }
      if (!e.summary.empty()) out += ",\"skos:definition\":" + json_string(e.summary);
      out += ",\"skos:inScheme\":" + in_scheme + ",\"skos:prefLabel\":" + json_string(e.title);
      related_of(i, rel);
      if (!rel.empty()) {
        out += ",\"skos:related\":[";
        for (std::size_t k = 0; k < rel.size(); ++k) {
          if (k) out += ',';
          out += "{\"@id\":" + iris[static_cast<std::size_t>(rel[k])] + '}';
        }
        out += ']';
      }
      out += '}';
    }
    // The themes likewise (their members are every entry, some twice: 20,000 at 10,000 entries).
    for (const auto& th : corpus.themes) {
      out += ",\n{\"@id\":" + json_string(base + theme_path(th.slug)) + ",\"@type\":\"skos:Collection\"";
      if (!th.description.empty()) out += ",\"skos:definition\":" + json_string(th.description);
      auto it = graph.theme_entries.find(th.slug);
      if (it != graph.theme_entries.end() && !it->second.empty()) {
        out += ",\"skos:member\":[";
        for (std::size_t k = 0; k < it->second.size(); ++k) {
          if (k) out += ',';
          out += "{\"@id\":" + iris[static_cast<std::size_t>(it->second[k])] + '}';
        }
        out += ']';
      }
      out += ",\"skos:prefLabel\":" + json_string(th.name) + '}';
    }
    out += "\n]}\n";
    return {"skos.jsonld", std::move(out)};
  }
};
}  // namespace

OutputFile skos_turtle(const ParsedCorpus& parsed, const LinkGraph& graph) { return Scheme{parsed.corpus, graph}.turtle(); }
OutputFile skos_jsonld(const ParsedCorpus& parsed, const LinkGraph& graph) { return Scheme{parsed.corpus, graph}.jsonld(); }

}  // namespace lexicon
