#pragma once
// `lexicon serve`: the built site plus the search API, on loopback by default.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "index_revision.h"

namespace lexicon {

struct ServeOptions {
  std::filesystem::path site_dir = "site";
  std::filesystem::path index_dir;  // empty: <site>/.xapian (then pinned to the generation being served)
  std::string host = "127.0.0.1";
  int port = 8080;                  // 0: any free port (tests)
  // URL path prefix ("/lexicon/"); unset: base_path from <site>/.lexicon/site.json, per generation.
  std::optional<std::string> prefix;
  int timeout_seconds = 5;          // read, write and keep-alive timeouts
  std::size_t max_query_bytes = 512;  // longer queries are cut at a character boundary
  // Connections (generator/connections.h): a request must arrive completely within this time after
  // its first byte (slow headers are cut off); open connections (idle ones cost no thread) and
  // requests answered at once (threads).
  int request_timeout_seconds = 5;
  std::size_t max_connections = 10000;
  std::size_t max_workers = 16;
  // Searches run at once (0: one per core); more wait their turn, first come first served.
  std::size_t search_threads = 0;
  // The index's stored fields (titles, summaries, texts for snippets) are held in memory when they
  // take at most this much (0: never); larger indexes are read from disk per hit.
  std::size_t preload_bytes = 128u << 20;
  // `serve --watch` (watch.h): /_live/events and the reload script in HTML responses; null otherwise.
  std::shared_ptr<class LiveReload> live;
};

// The HTTP server, startable and stoppable from a test thread.
class Server {
 public:
  explicit Server(ServeOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  // Binds host:port (port 0: any free port); returns the bound port or -1.
  int bind();
  // Serves until stop(); call after bind().
  bool listen();
  void stop();
  // The index revision whose stored fields the server holds in memory for searches (nullopt: not read
  // yet, or too large to hold); for tests and diagnosis.
  std::optional<IndexRevision> preloaded_index();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

int run_server(const ServeOptions& options);

// Maps a request path to a file under site_dir, or "" when it must not be served
// (dotfiles, the index, traversal, symlinks leaving the tree).
std::filesystem::path resolve_request_path(const std::filesystem::path& site_dir, const std::string& request_path);

std::string content_type_for(const std::filesystem::path& file);

// "lexicon", "/lexicon", "/lexicon/" -> "/lexicon/"; "" -> "/".
std::string normalize_prefix(std::string_view prefix);

// Makes an untrusted query safe to analyse and echo: invalid UTF-8 becomes U+FFFD, control characters
// become spaces, and the result is cut to max_bytes at a character boundary.
std::string clean_query(std::string_view query, std::size_t max_bytes);

// Title and alias completions for `prefix` from the suggestion list written by `lexicon build`
// (site/zoeken/index.json: [{title, url, aliases?}]): [{title, url, alias?}], best first.
struct SuggestEntry {
  std::string title, url;
  std::vector<std::string> aliases;
  std::string folded_title;                 // fold(title), precomputed
  std::vector<std::string> folded_aliases;  // fold(alias), same order as aliases
};
std::vector<SuggestEntry> parse_suggest_index(const nlohmann::json& index);
nlohmann::json suggest(const std::vector<SuggestEntry>& entries, std::string_view prefix, std::size_t limit = 8);

}  // namespace lexicon
