#pragma once
// `lexicon serve` on a free loopback port, in a thread, for the length of a test.
#include <doctest/doctest.h>

#include <thread>

#include <httplib.h>

#include "server.h"

class RunningServer {
 public:
  explicit RunningServer(lexicon::ServeOptions options) : server_(with_any_port(std::move(options))) {
    port_ = server_.bind();
    REQUIRE(port_ > 0);
    thread_ = std::thread([this] { server_.listen(); });
  }
  ~RunningServer() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }
  lexicon::Server& server() { return server_; }
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_url_encode(false);  // send the paths exactly as written, percent-encoding included
    c.set_connection_timeout(5);
    c.set_read_timeout(10);
    return c;
  }

 private:
  static lexicon::ServeOptions with_any_port(lexicon::ServeOptions o) {
    o.port = 0;
    return o;
  }
  lexicon::Server server_;
  int port_ = -1;
  std::thread thread_;
};
