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
    out += fmt::format("{:>5} | {}\n", d.line, d.source_line);
    if (d.column > 0) {
      // Tabs keep their width so the caret lines up under the column.
      std::string pad;
      std::size_t col = 1;
      for (std::size_t i = 0; i < d.source_line.size() && col < static_cast<std::size_t>(d.column); ++col) {
        char32_t cp = decode_utf8(d.source_line, i);
        pad += cp == '\t' ? '\t' : ' ';
      }
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
