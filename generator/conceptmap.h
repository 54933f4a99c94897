#pragma once
// Concept maps: small inline SVG graphs of an entry's neighbourhood (its links and the entries
// linking to it) and of a theme's entries. Graphviz (libgvc, in-process) places the nodes; the
// SVG is written here, so every text goes through html_escape and the markup stays small and
// styled by the site's CSS (light and dark). Nodes are links.
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace lexicon {

struct ConceptNode {
  std::string label;   // shown text (plain; escaped when written)
  std::string url;     // link target; empty for the focus node of an entry map
  bool focus = false;  // the entry the map is about
};

struct ConceptEdge {
  int from = 0;
  int to = 0;
  bool secondary = false;  // between two neighbours, drawn lighter
};

struct ConceptGraph {
  std::vector<ConceptNode> nodes;
  std::vector<ConceptEdge> edges;
  std::string label;  // accessible name of the whole map
};

// Positions (in SVG units) of every node, in the order of ConceptGraph::nodes.
struct ConceptLayout {
  struct Box { double x = 0, y = 0, w = 0, h = 0; };  // centre and size
  std::vector<Box> boxes;
  double width = 0, height = 0;
};

// Graphviz's gvc is not thread-safe: one object owns a context, serializes every layout with its
// mutex and caches layouts by their structural signature (node sizes and edges, not the texts),
// so entries with the same shape of neighbourhood share one layout. Create one per build.
class ConceptMapper {
 public:
  ConceptMapper();
  ~ConceptMapper();
  ConceptMapper(const ConceptMapper&) = delete;
  ConceptMapper& operator=(const ConceptMapper&) = delete;

  // Graphviz's context is made on first use, or by prepare(): making it reads Graphviz's plugin
  // configuration (20 ms), which a build can do beside other work before any map is laid out.
  void prepare();
  ConceptLayout layout(const ConceptGraph& graph);
  std::size_t layouts_computed() const;
  std::size_t cache_hits() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The largest number of neighbours an entry map shows, and of entries a theme map shows.
inline constexpr std::size_t concept_map_max_neighbours = 14;
inline constexpr std::size_t concept_map_max_theme_entries = 36;

// Builds an entry's neighbourhood graph. `outgoing` and `incoming` are entry indexes; `titles`
// and `urls` are per entry. Neighbours linked both ways come first, then outgoing, then incoming.
ConceptGraph entry_concept_graph(int entry, const std::vector<int>& outgoing, const std::vector<int>& incoming,
                                 const std::vector<std::vector<int>>& all_outgoing,
                                 const std::vector<std::string>& titles, const std::vector<std::string>& urls);

// Builds a theme's map: its best-connected entries (at most concept_map_max_theme_entries) and
// the links between them.
ConceptGraph theme_concept_graph(const std::string& theme_name, const std::vector<int>& entries,
                                 const std::vector<std::vector<int>>& all_outgoing,
                                 const std::vector<std::vector<int>>& all_incoming,
                                 const std::vector<std::string>& titles, const std::vector<std::string>& urls);

// The map as inline SVG (empty when the graph has fewer than two nodes).
std::string concept_map_svg(const ConceptGraph& graph, ConceptMapper& mapper);

}  // namespace lexicon
