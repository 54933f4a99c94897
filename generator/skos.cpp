#include "skos.h"

#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

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
// What both serialisations share: the scheme's IRIs and each entry's related entries.
struct Scheme {
  const Corpus& corpus;
  const LinkGraph& graph;
  const SiteConfig& config = corpus.config;
  // IRIs are the pages' URLs; with a path-only base_url they are relative to the document.
  std::string base = config.base_url;
  std::string lang = config.language.empty() ? "nl" : config.language;

  std::string entry_iri(int i) const { return base + entry_path(corpus.entries[static_cast<std::size_t>(i)].slug); }
  std::set<int> related_of(std::size_t i) const {
    std::set<int> out(graph.related[i].begin(), graph.related[i].end());
    out.insert(graph.outgoing[i].begin(), graph.outgoing[i].end());
    out.erase(static_cast<int>(i));
    return out;
  }

  OutputFile turtle() const {
    std::string ttl;
    ttl += "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n";
    ttl += "@prefix dct: <http://purl.org/dc/terms/> .\n\n";
    auto lit = [&](const std::string& text, const std::string& l) { return turtle_string(text) + "@" + (l.empty() ? lang : l); };
    ttl += turtle_iri(base) + " a skos:ConceptScheme ;\n  skos:prefLabel " + lit(config.title, "");
    if (!config.subtitle.empty()) ttl += " ;\n  dct:description " + lit(config.subtitle, "");
    if (!config.licence.empty()) ttl += " ;\n  dct:license " + turtle_string(config.licence);
    ttl += " .\n";
    for (std::size_t i = 0; i < corpus.entries.size(); ++i) {
      const Document& e = corpus.entries[i];
      ttl += "\n" + turtle_iri(entry_iri(static_cast<int>(i))) + " a skos:Concept ;\n";
      ttl += "  skos:inScheme " + turtle_iri(base) + " ;\n";
      ttl += "  skos:prefLabel " + lit(e.title, "");
      if (!e.aliases.empty()) {
        ttl += " ;\n  skos:altLabel ";
        for (std::size_t k = 0; k < e.aliases.size(); ++k) ttl += (k ? ", " : "") + lit(e.aliases[k].text, e.aliases[k].lang);
      }
      if (!e.summary.empty()) ttl += " ;\n  skos:definition " + lit(e.summary, "");
      auto rel = related_of(i);
      if (!rel.empty()) {
        ttl += " ;\n  skos:related ";
        bool first = true;
        for (int r : rel) { ttl += (first ? "" : ", ") + turtle_iri(entry_iri(r)); first = false; }
      }
      ttl += " .\n";
    }
    for (const auto& th : corpus.themes) {
      ttl += "\n" + turtle_iri(base + theme_path(th.slug)) + " a skos:Collection ;\n  skos:prefLabel " + lit(th.name, "");
      if (!th.description.empty()) ttl += " ;\n  skos:definition " + lit(th.description, "");
      auto it = graph.theme_entries.find(th.slug);
      if (it != graph.theme_entries.end() && !it->second.empty()) {
        ttl += " ;\n  skos:member ";
        for (std::size_t k = 0; k < it->second.size(); ++k) ttl += (k ? ", " : "") + turtle_iri(entry_iri(it->second[k]));
      }
      ttl += " .\n";
    }

    return {"skos.ttl", std::move(ttl)};
  }

  OutputFile jsonld() const {
    // JSON-LD: the same graph, one node per line. Each node is made and written on its own (a document
    // of every node at once, then dumped, was a third of a title edit's rendering at 10,000 entries).
    using nlohmann::json;
    auto jlit = [&](const std::string& text, const std::string& l) {
      return l.empty() || l == lang ? json(text) : json{{"@value", text}, {"@language", l}};
    };
    auto id = [](std::string iri) {
      json o = json::object();
      o["@id"] = std::move(iri);
      return o;
    };
    json context = {{"skos", "http://www.w3.org/2004/02/skos/core#"}, {"dct", "http://purl.org/dc/terms/"}, {"@language", lang}};
    std::string out = "{\"@context\":" + context.dump() + ",\"@graph\":[\n";
    bool first = true;
    auto write = [&](const json& node) {
      if (!first) out += ",\n";
      first = false;
      out += node.dump();
    };
    json scheme = {{"@id", base}, {"@type", "skos:ConceptScheme"}, {"skos:prefLabel", config.title}};
    if (!config.subtitle.empty()) scheme["dct:description"] = config.subtitle;
    if (!config.licence.empty()) scheme["dct:license"] = json{{"@value", config.licence}, {"@language", nullptr}};
    write(scheme);
    const json in_scheme = id(base);
    for (std::size_t i = 0; i < corpus.entries.size(); ++i) {
      const Document& e = corpus.entries[i];
      json c = json::object();
      c["@id"] = entry_iri(static_cast<int>(i));
      c["@type"] = "skos:Concept";
      c["skos:inScheme"] = in_scheme;
      c["skos:prefLabel"] = e.title;
      if (!e.aliases.empty()) {
        json& alt = c["skos:altLabel"] = json::array();
        for (const auto& a : e.aliases) alt.push_back(jlit(a.text, a.lang));
      }
      if (!e.summary.empty()) c["skos:definition"] = e.summary;
      auto rel = related_of(i);
      if (!rel.empty()) {
        json& r = c["skos:related"] = json::array();
        for (int k : rel) r.push_back(id(entry_iri(k)));
      }
      write(c);
    }
    for (const auto& th : corpus.themes) {
      json c = {{"@id", base + theme_path(th.slug)}, {"@type", "skos:Collection"}, {"skos:prefLabel", th.name}};
      if (!th.description.empty()) c["skos:definition"] = th.description;
      auto it = graph.theme_entries.find(th.slug);
      if (it != graph.theme_entries.end() && !it->second.empty()) {
        json& m = c["skos:member"] = json::array();
        for (int k : it->second) m.push_back(id(entry_iri(k)));
      }
      write(c);
    }
    out += "\n]}\n";
    return {"skos.jsonld", std::move(out)};
  }
};
}  // namespace

OutputFile skos_turtle(const ParsedCorpus& parsed, const LinkGraph& graph) { return Scheme{parsed.corpus, graph}.turtle(); }
OutputFile skos_jsonld(const ParsedCorpus& parsed, const LinkGraph& graph) { return Scheme{parsed.corpus, graph}.jsonld(); }

}  // namespace lexicon
