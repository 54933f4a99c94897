#pragma once
// SKOS export of the whole lexicon: site/skos.ttl (Turtle) and site/skos.jsonld (JSON-LD).
// Entries are skos:Concepts in one skos:ConceptScheme (the lexicon); themes are skos:Collections.
// Title -> prefLabel, aliases -> altLabel (with their language), summary -> definition,
// "Zie ook" and wiki links -> related.
#include <string>
#include <string_view>
#include <vector>

#include "render.h"
#include "resolve.h"

namespace lexicon {

// Each file on its own, so the two can be rendered side by side. Both are written in segments (one per
// entry and per theme, segments.h): `previous`, the current generation's file, lends the unchanged ones.
OutputFile skos_turtle(const ParsedCorpus& parsed, const LinkGraph& graph, const PreviousOutput* previous = nullptr);
OutputFile skos_jsonld(const ParsedCorpus& parsed, const LinkGraph& graph, const PreviousOutput* previous = nullptr);

// A Turtle string literal with quotes: "..." with \" \\ \n \r \t and other control characters escaped.
std::string turtle_string(std::string_view text);

// A Turtle IRI reference: <...>, with characters Turtle forbids in IRIs percent-encoded.
std::string turtle_iri(std::string_view iri);

}  // namespace lexicon
