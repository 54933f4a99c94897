#include "conceptmap.h"

#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>
#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include "escape.h"
#include "text.h"

namespace lexicon {

namespace {

// Text metrics are estimated, never measured, so layouts do not depend on the fonts installed.
constexpr double char_width = 7.0;   // average width at 13px sans
constexpr double line_height = 16.0;
constexpr std::size_t max_line_chars = 18;
constexpr std::size_t max_lines = 3;
constexpr double pad = 6.0;

std::size_t char_count(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// Wraps a label at spaces into at most max_lines lines (the last one shortened with "…").
std::vector<std::string> wrap_label(const std::string& label) {
  std::vector<std::string> words;
  std::string word;
  for (char c : label) {
    if (c == ' ') { if (!word.empty()) words.push_back(word); word.clear(); }
    else word += c;
  }
  if (!word.empty()) words.push_back(word);
  std::vector<std::string> lines;
  std::string line;
  for (const auto& w : words) {
    if (!line.empty() && char_count(line) + 1 + char_count(w) > max_line_chars) {
      lines.push_back(line);
      line.clear();
    }
    line += (line.empty() ? "" : " ") + w;
  }
  if (!line.empty()) lines.push_back(line);
  if (lines.size() > max_lines) {
    lines.resize(max_lines);
    lines.back() += "…";
  }
  return lines;
}

struct NodeSize { double w, h; };

NodeSize node_size(const ConceptNode& n) {
  auto lines = wrap_label(n.label);
  std::size_t longest = 1;
  for (const auto& l : lines) longest = std::max(longest, char_count(l));
  // Widths in steps of 8 units: more neighbourhoods share a layout.
  double w = std::ceil((static_cast<double>(longest) * char_width + 2 * pad + (n.focus ? 8 : 0)) / 8.0) * 8.0;
  double h = static_cast<double>(lines.size()) * line_height + 2 * pad;
  return {w, h};
}

std::string signature(const ConceptGraph& g, const std::vector<NodeSize>& sizes) {
  std::string sig;
  for (std::size_t i = 0; i < g.nodes.size(); ++i) sig += fmt::format("{}x{}{};", sizes[i].w, sizes[i].h, g.nodes[i].focus ? "f" : "");
  sig += "|";
  for (const auto& e : g.edges) sig += fmt::format("{}>{};", e.from, e.to);
  return sig;
}

std::string num(double v) {
  std::string s = fmt::format("{:.1f}", v);
  if (s.ends_with(".0")) s.resize(s.size() - 2);
  if (s == "-0") s = "0";
  return s;
}

// Where the line from a box's centre towards (dx, dy) leaves the box (plus a small gap).
std::pair<double, double> border_point(const ConceptLayout::Box& b, double dx, double dy, double gap) {
  double hw = b.w / 2 + gap, hh = b.h / 2 + gap;
  double tx = dx == 0 ? 1e9 : hw / std::abs(dx);
  double ty = dy == 0 ? 1e9 : hh / std::abs(dy);
  double t = std::min(tx, ty);
  return {b.x + dx * t, b.y + dy * t};
}

}  // namespace

struct ConceptMapper::Impl {
  std::mutex mutex;
  GVC_t* gvc = nullptr;
  std::map<std::string, ConceptLayout> cache;
  std::size_t computed = 0;
  std::size_t hits = 0;

  // With `mutex` held.
  GVC_t* context() {
    if (!gvc) {
      agseterr(AGERR);  // layout warnings (e.g. about overlap removal) are not the reader's concern
      gvc = gvContext();
    }
    return gvc;
  }
};

ConceptMapper::ConceptMapper() : impl_(std::make_unique<Impl>()) {}

void ConceptMapper::prepare() {
  std::lock_guard lock(impl_->mutex);
  impl_->context();
}

ConceptMapper::~ConceptMapper() {
  if (impl_->gvc) gvFreeContext(impl_->gvc);
}

std::size_t ConceptMapper::layouts_computed() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->computed;
}

std::size_t ConceptMapper::cache_hits() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->hits;
}

ConceptLayout ConceptMapper::layout(const ConceptGraph& graph) {
  std::vector<NodeSize> sizes;
  for (const auto& n : graph.nodes) sizes.push_back(node_size(n));
  std::string sig = signature(graph, sizes);

  std::lock_guard lock(impl_->mutex);
  if (auto it = impl_->cache.find(sig); it != impl_->cache.end()) {
    ++impl_->hits;
    return it->second;
  }
  ++impl_->computed;
  GVC_t* gvc = impl_->context();
  ConceptLayout out;
  char graph_name[] = "kaart";
  Agraph_t* g = agopen(graph_name, Agdirected, nullptr);
  agattr(g, AGRAPH, const_cast<char*>("overlap"), const_cast<char*>("prism"));
  agattr(g, AGRAPH, const_cast<char*>("sep"), const_cast<char*>("+8"));
  agattr(g, AGRAPH, const_cast<char*>("splines"), const_cast<char*>("false"));
  agattr(g, AGRAPH, const_cast<char*>("start"), const_cast<char*>("1"));  // fixed seed: same layout every build
  agattr(g, AGNODE, const_cast<char*>("shape"), const_cast<char*>("box"));
  agattr(g, AGNODE, const_cast<char*>("fixedsize"), const_cast<char*>("true"));
  agattr(g, AGNODE, const_cast<char*>("label"), const_cast<char*>(""));
  agattr(g, AGNODE, const_cast<char*>("width"), const_cast<char*>("1"));
  agattr(g, AGNODE, const_cast<char*>("height"), const_cast<char*>("0.5"));
  agattr(g, AGEDGE, const_cast<char*>("len"), const_cast<char*>("1.3"));
  std::vector<Agnode_t*> nodes;
  for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
    std::string name = "n" + std::to_string(i);
    Agnode_t* n = agnode(g, name.data(), 1);
    // Graphviz works in inches; one SVG unit is one point (1/72 inch).
    agset(n, const_cast<char*>("width"), fmt::format("{:.4f}", sizes[i].w / 72.0).data());
    agset(n, const_cast<char*>("height"), fmt::format("{:.4f}", sizes[i].h / 72.0).data());
    nodes.push_back(n);
  }
  for (const auto& e : graph.edges) {
    Agedge_t* edge = agedge(g, nodes[static_cast<std::size_t>(e.from)], nodes[static_cast<std::size_t>(e.to)], nullptr, 1);
    if (e.secondary) agset(edge, const_cast<char*>("len"), const_cast<char*>("2.2"));
  }
  if (graph.nodes.size() >= 2 && gvLayout(gvc, g, "neato") == 0) {
    double minx = 1e18, miny = 1e18, maxx = -1e18, maxy = -1e18;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      ConceptLayout::Box b{ND_coord(nodes[i]).x, -ND_coord(nodes[i]).y, sizes[i].w, sizes[i].h};  // SVG's y grows downwards
      minx = std::min(minx, b.x - b.w / 2);
      maxx = std::max(maxx, b.x + b.w / 2);
      miny = std::min(miny, b.y - b.h / 2);
      maxy = std::max(maxy, b.y + b.h / 2);
      out.boxes.push_back(b);
    }
    const double margin = 4;
    for (auto& b : out.boxes) {
      b.x = std::round((b.x - minx + margin) * 10) / 10;
      b.y = std::round((b.y - miny + margin) * 10) / 10;
    }
    out.width = std::ceil(maxx - minx + 2 * margin);
    out.height = std::ceil(maxy - miny + 2 * margin);
    gvFreeLayout(gvc, g);
  }
  agclose(g);
  impl_->cache.emplace(std::move(sig), out);
  return out;
}

ConceptGraph entry_concept_graph(int entry, const std::vector<int>& outgoing, const std::vector<int>& incoming,
                                 const std::vector<std::vector<int>>& all_outgoing,
                                 const std::vector<std::string>& titles, const std::vector<std::string>& urls) {
  std::set<int> out(outgoing.begin(), outgoing.end()), in(incoming.begin(), incoming.end());
  out.erase(entry);
  in.erase(entry);
  std::vector<int> order;
  for (int i : out) if (in.count(i)) order.push_back(i);
  for (int i : out) if (!in.count(i)) order.push_back(i);
  for (int i : in) if (!out.count(i)) order.push_back(i);
  if (order.size() > concept_map_max_neighbours) order.resize(concept_map_max_neighbours);

  ConceptGraph g;
  const auto& title = titles[static_cast<std::size_t>(entry)];
  g.label = "Begrippenkaart van " + title + ": " + std::to_string(order.size()) + " verbonden begrippen";
  g.nodes.push_back({title, "", true});
  std::map<int, int> node_of;
  for (int i : order) {
    node_of[i] = static_cast<int>(g.nodes.size());
    g.nodes.push_back({titles[static_cast<std::size_t>(i)], urls[static_cast<std::size_t>(i)], false});
  }
  for (int i : order) {
    if (out.count(i)) g.edges.push_back({0, node_of[i], false});
    if (in.count(i)) g.edges.push_back({node_of[i], 0, false});
  }
  // Links among the neighbours are left out: drawn, they turned the map into a hairball; the
  // star of direct links reads at a glance (and more neighbourhoods share one layout).
  (void)all_outgoing;
  return g;
}

ConceptGraph theme_concept_graph(const std::string& theme_name, const std::vector<int>& entries,
                                 const std::vector<std::vector<int>>& all_outgoing,
                                 const std::vector<std::vector<int>>& all_incoming,
                                 const std::vector<std::string>& titles, const std::vector<std::string>& urls) {
  std::set<int> members(entries.begin(), entries.end());
  // Best connected within the theme first; ties in entry order (stable, deterministic).
  std::vector<std::pair<int, int>> ranked;  // (-degree, entry)
  for (int e : entries) {
    int degree = 0;
    for (int j : all_outgoing[static_cast<std::size_t>(e)]) degree += members.count(j) ? 1 : 0;
    for (int j : all_incoming[static_cast<std::size_t>(e)]) degree += members.count(j) ? 1 : 0;
    ranked.emplace_back(-degree, e);
  }
  std::sort(ranked.begin(), ranked.end());
  if (ranked.size() > concept_map_max_theme_entries) ranked.resize(concept_map_max_theme_entries);
  std::vector<int> shown;
  for (const auto& r : ranked) shown.push_back(r.second);
  std::sort(shown.begin(), shown.end());

  ConceptGraph g;
  g.label = "Begrippenkaart van het thema " + theme_name + ": " + std::to_string(shown.size()) + " begrippen";
  std::map<int, int> node_of;
  for (int e : shown) {
    node_of[e] = static_cast<int>(g.nodes.size());
    g.nodes.push_back({titles[static_cast<std::size_t>(e)], urls[static_cast<std::size_t>(e)], false});
  }
  for (int e : shown) {
    for (int j : all_outgoing[static_cast<std::size_t>(e)]) {
      auto it = node_of.find(j);
      if (it != node_of.end() && j != e) g.edges.push_back({node_of[e], it->second, false});
    }
  }
  return g;
}

std::string concept_map_svg(const ConceptGraph& graph, ConceptMapper& mapper) {
  if (graph.nodes.size() < 2) return "";
  ConceptLayout layout = mapper.layout(graph);
  if (layout.boxes.size() != graph.nodes.size()) return "";

  // One line per pair of nodes; a link both ways gets an arrow at each end.
  std::map<std::pair<int, int>, std::pair<bool, bool>> lines;  // (lo, hi) -> (lo->hi, hi->lo)
  std::map<std::pair<int, int>, bool> secondary;
  for (const auto& e : graph.edges) {
    if (e.from == e.to) continue;
    auto key = std::minmax(e.from, e.to);
    auto& dir = lines[key];
    (e.from < e.to ? dir.first : dir.second) = true;
    auto [it, inserted] = secondary.emplace(key, e.secondary);
    if (!inserted) it->second = it->second && e.secondary;
  }

  std::string svg = fmt::format(
      "<svg class=\"concept-map-svg\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" "
      "role=\"group\" aria-label=\"{}\">",
      num(layout.width), num(layout.height), num(layout.width), num(layout.height), html_escape(graph.label));
  svg += "<defs><marker id=\"kaart-pijl\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" "
         "orient=\"auto-start-reverse\"><path d=\"M0 1L10 5L0 9z\"/></marker></defs>";
  svg += "<g class=\"edges\" aria-hidden=\"true\">";
  for (const auto& [key, dir] : lines) {
    const auto& a = layout.boxes[static_cast<std::size_t>(key.first)];
    const auto& b = layout.boxes[static_cast<std::size_t>(key.second)];
    double dx = b.x - a.x, dy = b.y - a.y;
    double len = std::hypot(dx, dy);
    if (len < 1) continue;
    auto [x1, y1] = border_point(a, dx / len, dy / len, dir.second ? 3 : 1);
    auto [x2, y2] = border_point(b, -dx / len, -dy / len, dir.first ? 3 : 1);
    svg += fmt::format("<line{} x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"{}{}/>", secondary[key] ? " class=\"sec\"" : "",
                       num(x1), num(y1), num(x2), num(y2),
                       dir.second ? " marker-start=\"url(#kaart-pijl)\"" : "",
                       dir.first ? " marker-end=\"url(#kaart-pijl)\"" : "");
  }
  svg += "</g><g class=\"nodes\">";
  for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
    const auto& n = graph.nodes[i];
    const auto& b = layout.boxes[i];
    auto lines_of_label = wrap_label(n.label);
    bool link = !n.url.empty() && is_safe_url(n.url);
    svg += link ? fmt::format("<a href=\"{}\">", html_escape(n.url))
                : std::string(n.focus ? "<g class=\"focus\" aria-current=\"page\">" : "<g>");
    svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"6\"/>", num(b.x - b.w / 2), num(b.y - b.h / 2),
                       num(b.w), num(b.h));
    double first = b.y - (static_cast<double>(lines_of_label.size()) - 1) * line_height / 2 + 4.5;
    svg += "<text>";
    for (std::size_t k = 0; k < lines_of_label.size(); ++k) {
      svg += fmt::format("<tspan x=\"{}\" y=\"{}\">{}</tspan>", num(b.x), num(first + static_cast<double>(k) * line_height),
                         html_escape(lines_of_label[k]));
    }
    svg += "</text>";
    svg += link ? "</a>" : "</g>";
  }
  svg += "</g></svg>";
  return svg;
}

}  // namespace lexicon
