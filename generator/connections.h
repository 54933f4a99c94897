#pragma once
// The connection side of `lexicon serve`. cpp-httplib (Debian's 0.11) parses requests and writes
// responses, but its own connection handling gives each connection a thread of a fixed pool (8 here)
// for as long as the connection stays open: eight idle keep-alive clients stall every other reader,
// and a client trickling its headers a byte at a time is never cut off (the read timeout counts per
// byte). So the connections are ours: one epoll thread holds every connection between requests and
// collects each request head; only a complete head is handed to a worker thread, where httplib's
// Server::process_request reads it from a buffered stream and answers it. Idle and slow connections
// cost a descriptor and a small buffer, never a thread.
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include <httplib.h>

namespace lexicon {

// Besides these, the Server's own settings apply: keep-alive timeout and maximum requests per
// connection (set_keep_alive_timeout / set_keep_alive_max_count), read and write timeouts.
struct ConnectionLimits {
  // A request (head and any body) must have arrived completely this long after its first byte;
  // otherwise the connection gets a 408 and is closed (slow-header clients, "slowloris").
  std::chrono::milliseconds request_timeout{5000};
  std::size_t max_connections = 10000;  // open at once; beyond it the longest-idle one is closed
  std::size_t max_workers = 16;         // requests answered at once (threads); more wait their turn
  std::size_t max_head_bytes = 32 * 1024;  // request line + headers; more gets a 431
};

class ConnectionServer : public httplib::Server {
 public:
  explicit ConnectionServer(ConnectionLimits limits = {});
  ~ConnectionServer() override;
  ConnectionServer(const ConnectionServer&) = delete;
  ConnectionServer& operator=(const ConnectionServer&) = delete;

  // After bind_to_port()/bind_to_any_port(): serves until stop(), then closes every connection and
  // waits for the requests in progress. False when accepting failed.
  bool serve();

  // The request line ("GET /zoeken/?q=… HTTP/1.1") of the request this thread is answering, "" outside
  // one. httplib leaves Request::path empty for requests it refuses itself (414, 400), but the error
  // page still depends on where the request went.
  static const std::string& current_request_line();

  struct Stats {
    std::size_t open_connections = 0;
    std::size_t workers = 0;
  };
  Stats stats() const;

 private:
  bool process_and_close_socket(socket_t sock) override;  // httplib calls it with every accepted socket

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The path of a request line's target, without query ("GET /a/?q=1 HTTP/1.1" -> "/a/"); "" if none.
std::string request_line_path(std::string_view request_line);

// Raises the soft limit on open files to the hard limit (each connection is a descriptor).
// Returns the soft limit now in force.
long raise_open_file_limit();

}  // namespace lexicon
