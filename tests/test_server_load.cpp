// `lexicon serve` under connection pressure (issue 10): 1,000 idle keep-alive connections plus clients
// trickling their headers a byte at a time must not delay a new reader, and the server must close
// both kinds on its own (keep-alive timeout, request timeout). Also requests httplib refuses itself
// (malformed, URL too long) get a calm answer. Runs the real binary over raw sockets on loopback.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>

#include <nlohmann/json.hpp>

#include "build_helpers.h"
#include "connections.h"


using namespace testutil;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

// `lexicon serve --port 0` as a child process, started with a soft open-file limit of 1024 (the usual
// default) so the test sees the server raise it; killed on destruction.
class ServeProcess {
 public:
  explicit ServeProcess(const fs::path& site, const fs::path& log) {
    rlimit saved{};
    ::getrlimit(RLIMIT_NOFILE, &saved);
    rlimit low = saved;
    low.rlim_cur = std::min<rlim_t>(saved.rlim_cur, 1024);
    ::setrlimit(RLIMIT_NOFILE, &low);
    std::vector<std::string> args = {LEXICON_BINARY, "--site", site.string(), "serve", "--port", "0"};
    pid_ = spawn_process(args, log.string());
    ::setrlimit(RLIMIT_NOFILE, &saved);
    REQUIRE(pid_ > 0);
    for (int i = 0; i < 200 && port_ <= 0; ++i) {
      std::this_thread::sleep_for(milliseconds(50));
      std::string text = read_file(log);
      auto at = text.find("http://127.0.0.1:");
      if (at != std::string::npos) port_ = std::atoi(text.c_str() + at + 17);
    }
    REQUIRE_MESSAGE(port_ > 0, read_file(log));
  }
  ~ServeProcess() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  int port() const { return port_; }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int port_ = -1;
};

int connect_to(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE_MESSAGE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0, std::strerror(errno));
  return fd;
}

bool send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

struct Response {
  int status = -1;
  std::string head, body;
};

// Reads one response (head, then Content-Length bytes, or up to EOF without one) within `timeout`.
// Bytes of a following (pipelined) response stay in `carry`.
Response read_response(int fd, milliseconds timeout, std::string& carry) {
  Response r;
  std::string data;
  data.swap(carry);
  auto deadline = Clock::now() + timeout;
  std::size_t head_end = std::string::npos, want = std::string::npos;
  for (;;) {
    if (head_end == std::string::npos && (head_end = data.find("\r\n\r\n")) != std::string::npos) {
      r.head = data.substr(0, head_end + 4);
      if (r.head.size() > 12) r.status = std::atoi(r.head.c_str() + 9);
      auto cl = r.head.find("Content-Length: ");
      if (cl != std::string::npos) want = head_end + 4 + std::strtoull(r.head.c_str() + cl + 16, nullptr, 10);
    }
    if (want != std::string::npos && data.size() >= want) break;
    auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
    pollfd p{fd, POLLIN, 0};
    if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) {
      r.status = -1;  // timed out
      return r;
    }
    char buf[65536];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;  // EOF ends a response without Content-Length
    data.append(buf, static_cast<std::size_t>(n));
  }
  if (head_end != std::string::npos) r.body = data.substr(head_end + 4);
  if (want != std::string::npos && data.size() > want) {
    carry = data.substr(want);
    r.body.resize(want - head_end - 4);
  }
  return r;
}

Response read_response(int fd, milliseconds timeout) {
  std::string carry;
  return read_response(fd, timeout, carry);
}

// Whether the server has closed `fd` (EOF or reset; a final 408 may come first).
bool closed_by_server(int fd) {
  char buf[4096];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) continue;
    if (n == 0) return true;
    return errno != EAGAIN && errno != EWOULDBLOCK;
  }
}

long status_field(pid_t pid, const std::string& name, int column = 0) {
  std::istringstream in(read_file("/proc/" + std::to_string(pid) + "/status"));
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with(name + ":")) return std::atol(line.c_str() + name.size() + 1 + column);
  }
  return -1;
}

// The soft and hard "Max open files" of a process.
std::pair<std::string, std::string> open_file_limits(pid_t pid) {
  std::istringstream in(read_file("/proc/" + std::to_string(pid) + "/limits"));
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("Max open files")) {
      std::istringstream fields(line.substr(14));
      std::string soft, hard;
      fields >> soft >> hard;
      return {soft, hard};
    }
  }
  return {};
}

}  // namespace

TEST_CASE("lexicon serve: 1,000 idle keep-alive connections and slow-header clients do not delay a new request") {
  long own_limit = lexicon::raise_open_file_limit();
  REQUIRE_MESSAGE(own_limit >= 1400, "the test needs about 1,200 open files; hard limit is " << own_limit);
  TempDir tmp("slowloris");
  auto report = build_copy(tmp, "good");
  REQUIRE_MESSAGE(report.exit_code == 0, all_diagnostics(report));
  ServeProcess server(tmp / "site", tmp / "serve.log");
  const int port = server.port();
  const std::string keep_alive_request = "GET /static/style.css HTTP/1.1\r\nHost: localhost\r\n\r\n";

  // 1,000 keep-alive connections, each used once and then left idle.
  constexpr int idle_count = 1000, slow_count = 100;
  std::vector<int> idle;
  auto opening = Clock::now();
  for (int i = 0; i < idle_count; ++i) {
    int fd = connect_to(port);
    REQUIRE(send_all(fd, keep_alive_request));
    Response r = read_response(fd, milliseconds(5000));
    REQUIRE_MESSAGE(r.status == 200, "idle connection " << i);
    REQUIRE(r.head.find("Connection: close") == std::string::npos);
    idle.push_back(fd);
  }
  auto idle_since = Clock::now();

  // The server raised its own open-file limit to the hard limit (it started with 1024).
  auto [soft, hard] = open_file_limits(server.pid());
  CHECK(soft == hard);

  // 100 slow clients: a request head trickled one byte every 300 ms, never finished in time.
  std::vector<int> slow;
  for (int i = 0; i < slow_count; ++i) slow.push_back(connect_to(port));
  auto slow_started = Clock::now();
  std::atomic<bool> stop_trickle{false};
  std::vector<char> slow_open(slow_count, 1);
  std::thread trickle([&] {
    const std::string head = "GET /begrippen/presentie/ HTTP/1.1\r\nHost: localhost\r\nX-Langzaam: " + std::string(200, 'a');
    for (std::size_t k = 0; !stop_trickle && k < head.size(); ++k) {
      for (int i = 0; i < slow_count; ++i) {
        if (slow_open[i] && ::send(slow[i], &head[k], 1, MSG_NOSIGNAL) != 1) slow_open[i] = 0;
      }
      for (int t = 0; t < 30 && !stop_trickle; ++t) std::this_thread::sleep_for(milliseconds(10));
    }
  });
  std::this_thread::sleep_for(milliseconds(1000));

  // Now new readers: each must have its answer within 1 s.
  std::vector<double> seconds;
  for (const char* path : {"/begrippen/presentie/", "/api/search?q=presentie", "/zoeken/?q=nabijheid", "/", "/a-z/"}) {
    auto start = Clock::now();
    int fd = connect_to(port);
    REQUIRE(send_all(fd, std::string("GET ") + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"));
    Response r = read_response(fd, milliseconds(5000));
    double s = std::chrono::duration<double>(Clock::now() - start).count();
    ::close(fd);
    CAPTURE(path);
    CHECK(r.status == 200);
    CHECK(s < 1.0);
    seconds.push_back(s);
  }
  // And a reader on one of the idle keep-alive connections.
  {
    auto start = Clock::now();
    REQUIRE(send_all(idle[500], keep_alive_request));
    Response r = read_response(idle[500], milliseconds(5000));
    CHECK(r.status == 200);
    seconds.push_back(std::chrono::duration<double>(Clock::now() - start).count());
    CHECK(seconds.back() < 1.0);
  }
  double worst = *std::max_element(seconds.begin(), seconds.end());
  MESSAGE("new requests with " << idle_count << " idle + " << slow_count << " slow connections open: slowest "
                               << worst * 1000 << " ms; server threads: " << status_field(server.pid(), "Threads")
                               << "; opening the idle connections took "
                               << std::chrono::duration<double>(idle_since - opening).count() << " s");
  // Idle and slow connections cost no thread (reactor + accept loop + a few workers).
  CHECK(status_field(server.pid(), "Threads") < 40);
  // All idle connections are still open (the measurement really ran against 1,000 of them).
  int still_open = 0;
  for (int i = 0; i < idle_count; ++i) still_open += i == 500 || !closed_by_server(idle[i]);
  CHECK(still_open == idle_count);

  // The server closes the slow clients 5 s after their first byte (request timeout) and the idle
  // connections 5 s after their last answer (keep-alive timeout); allow 2 s for scheduling.
  std::vector<char> slow_closed(slow_count, 0), idle_closed(idle_count, 0);
  int slow_left = slow_count, idle_left = idle_count - 1;
  double slow_last = 0, idle_last = 0;
  while ((slow_left > 0 || idle_left > 0) && Clock::now() - idle_since < std::chrono::seconds(9)) {
    std::this_thread::sleep_for(milliseconds(100));
    for (int i = 0; i < slow_count; ++i) {
      if (!slow_closed[i] && closed_by_server(slow[i])) {
        slow_closed[i] = 1;
        --slow_left;
        slow_last = std::chrono::duration<double>(Clock::now() - slow_started).count();
      }
    }
    for (int i = 0; i < idle_count; ++i) {
      if (i != 500 && !idle_closed[i] && closed_by_server(idle[i])) {
        idle_closed[i] = 1;
        --idle_left;
        idle_last = std::chrono::duration<double>(Clock::now() - idle_since).count();
      }
    }
  }
  stop_trickle = true;
  trickle.join();
  MESSAGE("slow clients cut off after " << slow_last << " s, idle connections closed after " << idle_last << " s");
  CHECK(slow_left == 0);
  CHECK(idle_left == 0);
  CHECK(slow_last < 7.0);
  CHECK(idle_last < 7.5);
  for (int fd : idle) ::close(fd);
  for (int fd : slow) ::close(fd);

  // Still serving afterwards.
  int fd = connect_to(port);
  REQUIRE(send_all(fd, "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"));
  CHECK(read_response(fd, milliseconds(5000)).status == 200);
  ::close(fd);
}

TEST_CASE("lexicon serve: refused requests get a calm answer, never a 500") {
  TempDir tmp("refused");
  auto report = build_copy(tmp, "good");
  REQUIRE_MESSAGE(report.exit_code == 0, all_diagnostics(report));
  ServeProcess server(tmp / "site", tmp / "serve.log");
  auto ask = [&](const std::string& raw) {
    int fd = connect_to(server.port());
    REQUIRE(send_all(fd, raw));
    Response r = read_response(fd, milliseconds(5000));
    ::close(fd);
    return r;
  };
  std::string long_query(10 * 1024, 'x');

  // A 10 kB query on the search page: 414 in the site's own look, in Dutch.
  Response r = ask("GET /zoeken/?q=" + long_query + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
  CHECK(r.status == 414);
  CHECK(r.head.find("Content-Type: text/html; charset=utf-8") != std::string::npos);
  CHECK(r.body.find("Deze zoekvraag is te lang") != std::string::npos);
  CHECK(r.body.find("class=\"results\"") != std::string::npos);
  CHECK(r.body.find("/static/style.css") != std::string::npos);  // the site's page, not a bare error
  CHECK(r.body.find("href=\"/a-z/\"") != std::string::npos);
  CHECK(r.body.find(long_query.substr(0, 100)) == std::string::npos);

  // The same under /api/: JSON.
  for (const char* api : {"/api/search?q=", "/api/suggest?q="}) {
    r = ask(std::string("GET ") + api + long_query + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
    CAPTURE(api);
    CHECK(r.status == 414);
    CHECK(r.head.find("Content-Type: application/json") != std::string::npos);
    auto j = nlohmann::json::parse(r.body, nullptr, false);
    REQUIRE(j.is_object());
    CHECK(j["error"] == "zoekvraag te lang");
  }

  // A too-long address elsewhere, and a request line that is no HTTP at all.
  r = ask("GET /begrippen/" + long_query + "/ HTTP/1.1\r\nHost: localhost\r\n\r\n");
  CHECK(r.status == 414);
  CHECK(r.body.find("Dit adres is te lang") != std::string::npos);
  r = ask("ONZIN\r\n\r\n");
  CHECK(r.status == 400);
  CHECK(r.body.find("Deze aanvraag is niet te lezen") != std::string::npos);

  // Headers beyond 32 KiB: refused with 431 before anything is parsed.
  r = ask("GET / HTTP/1.1\r\nHost: localhost\r\nX-Groot: " + std::string(40 * 1024, 'g') + "\r\n\r\n");
  CHECK(r.status == 431);

  // Pipelined requests on one connection are answered in order.
  int fd = connect_to(server.port());
  REQUIRE(send_all(fd, "GET /api/suggest?q=pres HTTP/1.1\r\nHost: x\r\n\r\nGET /api/suggest?q=hulpv HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::string carry;
  Response first = read_response(fd, milliseconds(5000), carry);
  Response second = read_response(fd, milliseconds(5000), carry);
  ::close(fd);
  CHECK(first.status == 200);
  CHECK(first.body.find("Presentie") != std::string::npos);
  CHECK(second.status == 200);
  CHECK(second.body.find("hulpvrager") != std::string::npos);
}
