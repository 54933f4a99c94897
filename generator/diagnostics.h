#pragma once
// Compiler-style diagnostics: every problem of a run is collected, then printed together.
#include <cstddef>
#include <string>
#include <vector>

namespace lexicon {

enum class Severity { warning, error };

struct Diagnostic {
  std::string path;        // relative to the working directory, as editors see it
  int line = 0;            // 1-based; 0 = whole file
  int column = 0;          // 1-based, in code points; 0 = whole line
  Severity severity = Severity::error;
  std::string message;     // Dutch
  std::string source_line; // the offending line, for the caret display (may be empty)
  bool operator==(const Diagnostic&) const = default;
};

struct Diagnostics {
  std::vector<Diagnostic> items;
  void error(std::string path, int line, int column, std::string message, std::string source_line = {});
  void warning(std::string path, int line, int column, std::string message, std::string source_line = {});
  bool has_errors() const;
  std::size_t count(Severity severity) const;
};

enum class DiagnosticFormat { text, github, json };

// "path:line:col: error: message" plus the source line with a caret (text format).
std::string format_diagnostic(const Diagnostic& d, DiagnosticFormat format, bool with_source = true);
std::string format_all(const Diagnostics& diagnostics, DiagnosticFormat format);

// Sorts by path, line, column so output is stable whatever order stages ran in.
void sort_diagnostics(Diagnostics& diagnostics);

// At most `max_per_file` diagnostics per file, the first by position (call after sort_diagnostics); the
// rest of a file's become one summary at the end of its group, an error when any of them was, so a build
// fails exactly as before. Output stays proportional to what an editor can act on: one line of 20,000
// empty list items gave 20,000 diagnostics, each quoting the 20 KB line (600 MB of text, 23 s).
inline constexpr std::size_t diagnostics_per_file = 50;
void limit_per_file(Diagnostics& diagnostics, std::size_t max_per_file = diagnostics_per_file);

// Fills in the source line of every diagnostic that has a line but no source text yet, reading
// the file named by its path (as shown to the editor, relative to the working directory), so
// every positioned diagnostic gets the caret display. Invalid UTF-8 is shown as U+FFFD.
void attach_source_lines(Diagnostics& diagnostics);

// The line (1-based) of `text`, without its newline; "" when out of range.
std::string line_of(const std::string& text, int line);

}  // namespace lexicon
