#include "diagnostics.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "frontmatter.h"
#include "text.h"

namespace lexicon {

namespace {
// Messages quote what editors wrote, and yaml-cpp quotes single bytes ("unknown escape character:
// \xC3" for "\é"): keep every message valid UTF-8, or the JSON output could not be written.
std::string valid(std::string text) {
  return find_invalid_utf8(text) == std::string::npos ? std::move(text) : to_valid_utf8(text);
}
}  // namespace

void Diagnostics::error(std::string path, int line, int column, std::string message, std::string source_line) {
  items.push_back({valid(std::move(path)), line, column, Severity::error, valid(std::move(message)),
                   valid(std::move(source_line))});
}

void Diagnostics::warning(std::string path, int line, int column, std::string message, std::string source_line) {
  items.push_back({valid(std::move(path)), line, column, Severity::warning, valid(std::move(message)),
                   valid(std::move(source_line))});
}

bool Diagnostics::has_errors() const { return count(Severity::error) > 0; }

std::size_t Diagnostics::count(Severity severity) const {
  return static_cast<std::size_t>(std::count_if(items.begin(), items.end(),
                                                [&](const Diagnostic& d) { return d.severity == severity; }));
}

namespace {
constexpr std::size_t shown_line_width = 160;  // code points of a source line shown around the column

const char* severity_name(Severity s) { return s == Severity::error ? "error" : "warning"; }

std::string location(const Diagnostic& d) {
  std::string out = d.path;
  if (d.line > 0) out += fmt::format(":{}", d.line);
  if (d.line > 0 && d.column > 0) out += fmt::format(":{}", d.column);
  return out;
}

// GitHub workflow commands need %, CR and LF escaped in the message (and , : in properties).
std::string github_escape(const std::string& s, bool property) {
  std::string out;
  for (char c : s) {
    if (c == '%') out += "%25";
    else if (c == '\r') out += "%0D";
    else if (c == '\n') out += "%0A";
    else if (property && c == ':') out += "%3A";
    else if (property && c == ',') out += "%2C";
    else out += c;
  }
  return out;
}
}  // namespace

std::string format_diagnostic(const Diagnostic& d, DiagnosticFormat format, bool with_source) {
  switch (format) {
    case DiagnosticFormat::github: {
      std::string props = "file=" + github_escape(d.path, true);
      if (d.line > 0) props += fmt::format(",line={}", d.line);
      if (d.column > 0) props += fmt::format(",col={}", d.column);
      return fmt::format("::{} {}::{}\n", severity_name(d.severity), props, github_escape(d.message, false));
    }
    case DiagnosticFormat::json: {
      nlohmann::json j = {{"file", d.path}, {"line", d.line}, {"column", d.column},
                          {"severity", severity_name(d.severity)}, {"message", d.message}};
      return j.dump();
    }
    case DiagnosticFormat::text:
      break;
  }
  std::string out = fmt::format("{}: {}: {}\n", location(d), severity_name(d.severity), d.message);
  if (with_source && !d.source_line.empty() && d.line > 0) {
    const std::string& line = d.source_line;
    std::vector<std::size_t> starts;  // byte offset of each code point
    for (std::size_t i = 0; i < line.size(); decode_utf8(line, i)) starts.push_back(i);
    const std::size_t length = starts.size();
    const std::size_t column = d.column > 0 ? static_cast<std::size_t>(d.column) - 1 : 0;  // 0-based
    // A long line (a one-line list, minified YAML) is shown as a window around the column, marked with
    // an ellipsis on the side that was cut, so each diagnostic stays a few short lines.
    std::size_t from = 0, to = length;
    if (length > shown_line_width) {
      from = column > shown_line_width / 2 ? std::min(column - shown_line_width / 2, length - shown_line_width) : 0;
      to = from + shown_line_width;
    }
    const std::size_t end_byte = to < length ? starts[to] : line.size();
    out += fmt::format("{:>5} | {}{}{}\n", d.line, from > 0 ? "…" : "",
                       std::string_view(line).substr(starts[from], end_byte - starts[from]), to < length ? "…" : "");
    if (d.column > 0) {
      // Tabs keep their width so the caret lines up under the column.
      std::string pad = from > 0 ? " " : "";
      for (std::size_t k = from; k < std::min(column, to); ++k) pad += line[starts[k]] == '\t' ? '\t' : ' ';
      out += fmt::format("      | {}^\n", pad);
    }
  }
  return out;
}

std::string format_all(const Diagnostics& diagnostics, DiagnosticFormat format) {
  if (format == DiagnosticFormat::json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& d : diagnostics.items) list.push_back(nlohmann::json::parse(format_diagnostic(d, format)));
    return list.dump(2) + "\n";
  }
  std::string out;
  for (const auto& d : diagnostics.items) out += format_diagnostic(d, format);
  return out;
}

void sort_diagnostics(Diagnostics& diagnostics) {
  std::stable_sort(diagnostics.items.begin(), diagnostics.items.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.path, a.line, a.column) < std::tie(b.path, b.line, b.column);
  });
}

void limit_per_file(Diagnostics& diagnostics, std::size_t max_per_file) {
  std::vector<Diagnostic> kept;
  kept.reserve(diagnostics.items.size());
  std::size_t in_file = 0, dropped_errors = 0, dropped_warnings = 0;
  auto close_file = [&](const std::string& path) {
    if (dropped_errors + dropped_warnings == 0) return;
    kept.push_back({path, 0, 0, dropped_errors > 0 ? Severity::error : Severity::warning,
                    fmt::format("nog {} meldingen in dit bestand weggelaten ({} fout(en), {} waarschuwing(en)); "
                                "los eerst de bovenstaande op",
                                dropped_errors + dropped_warnings, dropped_errors, dropped_warnings),
                    {}});
    dropped_errors = dropped_warnings = 0;
  };
  std::string current;
  for (auto& d : diagnostics.items) {
    if (d.path != current) {
      close_file(current);
      current = d.path;
      in_file = 0;
    }
    if (++in_file <= max_per_file) {
      kept.push_back(std::move(d));
    } else {
      ++(d.severity == Severity::error ? dropped_errors : dropped_warnings);
    }
  }
  close_file(current);
  diagnostics.items = std::move(kept);
}

void attach_source_lines(Diagnostics& diagnostics) {
  std::map<std::string, std::optional<std::string>> files;
  for (auto& d : diagnostics.items) {
    if (d.line < 1 || !d.source_line.empty()) continue;
    auto [it, inserted] = files.try_emplace(d.path);
    if (inserted) {
      std::error_code ec;
      auto size = std::filesystem::file_size(d.path, ec);
      std::ifstream in(d.path, std::ios::binary);
      if (!ec && size <= (1u << 20) && in) {
        std::ostringstream buffer;
        buffer << in.rdbuf();
        it->second = normalise_newlines(buffer.str());
      }
    }
    if (!it->second) continue;
    std::string raw = line_of(*it->second, d.line);
    std::string shown;
    for (std::size_t i = 0; i < raw.size();) append_utf8(shown, decode_utf8(raw, i));
    d.source_line = shown;
  }
}

std::string line_of(const std::string& text, int line) {
  if (line < 1) return {};
  std::size_t pos = 0;
  for (int i = 1; i < line; ++i) {
    pos = text.find('\n', pos);
    if (pos == std::string::npos) return {};
    ++pos;
  }
  auto end = text.find('\n', pos);
  std::string out = text.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
  if (!out.empty() && out.back() == '\r') out.pop_back();
  return out;
}

}  // namespace lexicon
