#include "connections.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace lexicon {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

thread_local std::string current_line;

// httplib hands every accepted socket to its task queue; ours runs the task at once on the accepting
// thread, and the task (process_and_close_socket) only passes the socket on to the reactor.
class InlineQueue final : public httplib::TaskQueue {
 public:
  void enqueue(std::function<void()> fn) override { fn(); }
  void shutdown() override {}
};

struct Conn {
  int fd = -1;
  std::string buf;          // received and not yet consumed by httplib: buf[pos..]
  std::size_t pos = 0;
  std::size_t scanned = 0;  // buf[pos..scanned) holds no end of a request head
  bool busy = false;        // a worker is answering it (then it is not in the epoll set)
  bool head_open = false;   // part of a request has arrived
  bool eof = false;         // the client closed its side
  Clock::time_point idle_since, head_started;
  std::size_t requests = 0;
  std::string remote_ip, local_ip;
  int remote_port = 0, local_port = 0;
};

// The length of the whole request head at buf[pos..] (up to and including the empty line that ends
// it), or 0 while it is incomplete.
std::size_t head_length(Conn& c) {
  for (std::size_t i = std::max(c.pos, c.scanned); i < c.buf.size(); ++i) {
    if (c.buf[i] != '\n') continue;
    std::size_t j = i + 1;
    if (j < c.buf.size() && c.buf[j] == '\r') ++j;
    if (j < c.buf.size() && c.buf[j] == '\n') return j + 1 - c.pos;
  }
  // The last two bytes may be the start of an end of head; scan them again when more arrives, so a
  // client sending one byte at a time costs linear, not quadratic, time.
  c.scanned = std::max(c.pos, c.buf.size() >= 2 ? c.buf.size() - 2 : 0);
  return 0;
}

bool head_complete(Conn& c) { return head_length(c) > 0; }

void compact(Conn& c) {
  if (c.pos == 0) return;
  c.buf.erase(0, c.pos);
  c.pos = 0;
  c.scanned = 0;
}

std::string first_line(const Conn& c) {
  std::string_view rest = std::string_view(c.buf).substr(c.pos);
  auto end = rest.find('\n');
  std::string_view line = rest.substr(0, end);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return std::string(line);
}

void address_of(const sockaddr_storage& ss, std::string& ip, int& port) {
  char host[INET6_ADDRSTRLEN] = "";
  if (ss.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    ::inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
    port = ntohs(a->sin_port);
  } else if (ss.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    ::inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
    port = ntohs(a->sin6_port);
  }
  ip = host;
}

bool wait_for(int fd, short events, milliseconds timeout) {
  if (timeout.count() <= 0) return false;
  pollfd p{fd, events, 0};
  int r;
  do r = ::poll(&p, 1, static_cast<int>(std::min<long long>(timeout.count(), INT_MAX)));
  while (r < 0 && errno == EINTR);
  return r > 0;
}

// The stream httplib reads a request from and writes its answer to: the buffered head first, then
// the socket (only a body, which this server never expects) until the request's deadline.
class ConnStream final : public httplib::Stream {
 public:
  ConnStream(Conn& c, Clock::time_point read_deadline, milliseconds read_timeout, milliseconds write_timeout)
      : c_(c), read_deadline_(read_deadline), read_timeout_(read_timeout), write_timeout_(write_timeout) {}

  bool is_readable() const override { return c_.pos < c_.buf.size() || wait_for(c_.fd, POLLIN, read_wait()); }
  bool is_writable() const override { return wait_for(c_.fd, POLLOUT, write_timeout_); }

  ssize_t read(char* ptr, size_t size) override {
    if (c_.pos < c_.buf.size()) {
      std::size_t n = std::min(size, c_.buf.size() - c_.pos);
      std::memcpy(ptr, c_.buf.data() + c_.pos, n);
      c_.pos += n;
      return static_cast<ssize_t>(n);
    }
    for (;;) {
      ssize_t n = ::recv(c_.fd, ptr, size, MSG_DONTWAIT);
      if (n >= 0) return n;
      if (errno == EINTR) continue;
      if ((errno != EAGAIN && errno != EWOULDBLOCK) || !wait_for(c_.fd, POLLIN, read_wait())) return -1;
    }
  }

  ssize_t write(const char* ptr, size_t size) override {
    std::size_t done = 0;
    while (done < size) {
      ssize_t n = ::send(c_.fd, ptr + done, size - done, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        done += static_cast<std::size_t>(n);
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && wait_for(c_.fd, POLLOUT, write_timeout_)) {
        continue;
      } else {
        return -1;
      }
    }
    return static_cast<ssize_t>(size);
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = c_.remote_ip;
    port = c_.remote_port;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    ip = c_.local_ip;
    port = c_.local_port;
  }
  socket_t socket() const override { return c_.fd; }

 private:
  milliseconds read_wait() const {
    auto left = std::chrono::duration_cast<milliseconds>(read_deadline_ - Clock::now());
    return std::min(read_timeout_, left);
  }

  Conn& c_;
  Clock::time_point read_deadline_;
  milliseconds read_timeout_, write_timeout_;
};

// A short answer for clients the reactor turns away itself; best effort, the connection closes anyway.
// What the client already sent is read first: closing with unread input would reset the connection
// and could destroy the answer before the client reads it.
void send_and_forget(int fd, int status, const char* reason, const char* text) {
  char sink[16384];
  for (int i = 0; i < 64 && ::recv(fd, sink, sizeof sink, MSG_DONTWAIT) > 0; ++i) {
  }
  std::string body = text;
  std::string msg = "HTTP/1.1 " + std::to_string(status) + " " + reason +
                    "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " + std::to_string(body.size()) +
                    "\r\nConnection: close\r\n\r\n" + body;
  (void)!::send(fd, msg.data(), msg.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  ::shutdown(fd, SHUT_WR);
}

}  // namespace

struct ConnectionServer::Impl {
  ConnectionServer& server;
  ConnectionLimits limits;
  std::size_t max_connections = 0;  // limits.max_connections, bounded by the open-file limit
  milliseconds keep_alive{5000}, read_timeout{5000}, write_timeout{5000};
  std::size_t max_requests = 100;

  int epfd = -1, wakefd = -1;
  std::thread reactor;

  std::mutex mu;  // guards accepted, returned and stopping
  std::vector<int> accepted;
  std::vector<std::pair<Conn*, bool>> returned;  // from workers; true: close it
  bool stopping = false;
  std::atomic<bool> stopping_flag{false};

  // Reactor thread only.
  std::unordered_map<int, std::unique_ptr<Conn>> conns;
  std::size_t busy = 0;

  std::mutex work_mu;
  std::condition_variable work_cv;
  std::deque<Conn*> work;
  std::vector<std::thread> workers;
  std::size_t idle_workers = 0;
  bool work_stop = false;

  std::atomic<std::size_t> open_count{0}, worker_count{0};

  Impl(ConnectionServer& s, ConnectionLimits l) : server(s), limits(l) {}
  ~Impl() { stop(); }

  void start() {
    // Settings of httplib's Server apply to our connections too.
    keep_alive = milliseconds(server.keep_alive_timeout_sec_ * 1000);
    read_timeout = milliseconds(server.read_timeout_sec_ * 1000 + server.read_timeout_usec_ / 1000);
    write_timeout = milliseconds(server.write_timeout_sec_ * 1000 + server.write_timeout_usec_ / 1000);
    max_requests = std::max<std::size_t>(1, server.keep_alive_max_count_);
    // Leave descriptors for files and the Xapian databases (a few per concurrent search).
    long nofile = raise_open_file_limit();
    std::size_t reserve = nofile > 2048 ? 512 : static_cast<std::size_t>(std::max(nofile, 64L) / 2);
    max_connections = std::min<std::size_t>(limits.max_connections,
                                            std::max<std::size_t>(16, static_cast<std::size_t>(nofile) - reserve));
    epfd = ::epoll_create1(EPOLL_CLOEXEC);
    wakefd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = wakefd;
    ::epoll_ctl(epfd, EPOLL_CTL_ADD, wakefd, &ev);
    reactor = std::thread([this] { run_reactor(); });
  }

  void stop() {
    if (!reactor.joinable()) return;
    {
      std::lock_guard lock(mu);
      stopping = true;
    }
    stopping_flag = true;
    wake();
    reactor.join();
    {
      std::lock_guard lock(work_mu);
      work_stop = true;
    }
    work_cv.notify_all();
    for (auto& t : workers) t.join();
    workers.clear();
    ::close(epfd);
    ::close(wakefd);
  }

  void wake() {
    std::uint64_t one = 1;
    (void)!::write(wakefd, &one, sizeof one);
  }

  // Accepting thread.
  void on_accept(int fd) {
    {
      std::lock_guard lock(mu);
      if (!stopping) {
        accepted.push_back(fd);
        fd = -1;
      }
    }
    if (fd >= 0) ::close(fd);
    else wake();
  }

  // Worker threads.
  void give_back(Conn* c, bool close) {
    {
      std::lock_guard lock(mu);
      returned.emplace_back(c, close);
    }
    wake();
  }

  void run_reactor() {
    std::vector<epoll_event> events(256);
    auto last_sweep = Clock::now();
    for (;;) {
      int n = ::epoll_wait(epfd, events.data(), static_cast<int>(events.size()), 50);
      auto now = Clock::now();
      for (int i = 0; i < n; ++i) {
        int fd = events[i].data.fd;
        if (fd == wakefd) {
          std::uint64_t v;
          (void)!::read(wakefd, &v, sizeof v);
          continue;
        }
        auto it = conns.find(fd);
        if (it != conns.end() && !it->second->busy) on_readable(*it->second, now);
      }
      std::vector<int> new_fds;
      std::vector<std::pair<Conn*, bool>> back;
      bool stop_now;
      {
        std::lock_guard lock(mu);
        new_fds.swap(accepted);
        back.swap(returned);
        stop_now = stopping;
      }
      for (auto [c, close] : back) {
        --busy;
        c->busy = false;
        if (close || stop_now) close_conn(*c);
        else resume(*c, now);
      }
      for (int fd : new_fds) {
        if (stop_now) ::close(fd);
        else add_conn(fd, now);
      }
      if (stop_now) {
        std::vector<Conn*> idle;
        for (auto& [fd, c] : conns) {
          if (!c->busy) idle.push_back(c.get());
        }
        for (Conn* c : idle) close_conn(*c);
        if (busy == 0) return;  // every connection closed; in-flight requests are done
        continue;
      }
      if (now - last_sweep >= milliseconds(100)) {
        sweep(now);
        last_sweep = now;
      }
    }
  }

  void add_conn(int fd, Clock::time_point now) {
    if (conns.size() >= max_connections && !evict_one()) {
      send_and_forget(fd, 503, "Service Unavailable", "Te veel verbindingen tegelijk; probeer het zo opnieuw.\n");
      ::close(fd);
      return;
    }
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto c = std::make_unique<Conn>();
    c->fd = fd;
    c->idle_since = now;
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) == 0) address_of(ss, c->remote_ip, c->remote_port);
    len = sizeof ss;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) == 0) address_of(ss, c->local_ip, c->local_port);
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.fd = fd;
    if (::epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
      ::close(fd);
      return;
    }
    conns.emplace(fd, std::move(c));
    open_count = conns.size();
  }

  // At the connection limit: the connection idle longest between requests makes room.
  bool evict_one() {
    Conn* oldest = nullptr;
    for (auto& [fd, c] : conns) {
      if (!c->busy && !c->head_open && (!oldest || c->idle_since < oldest->idle_since)) oldest = c.get();
    }
    if (!oldest) return false;
    close_conn(*oldest);
    return true;
  }

  void close_conn(Conn& c) {
    int fd = c.fd;
    ::epoll_ctl(epfd, EPOLL_CTL_DEL, fd, nullptr);
    ::close(fd);
    conns.erase(fd);  // destroys c
    open_count = conns.size();
  }

  void on_readable(Conn& c, Clock::time_point now) {
    char tmp[16384];
    for (;;) {
      ssize_t n = ::recv(c.fd, tmp, sizeof tmp, MSG_DONTWAIT);
      if (n > 0) {
        if (!c.head_open) {
          c.head_open = true;
          c.head_started = now;
        }
        c.buf.append(tmp, static_cast<std::size_t>(n));
        if (c.buf.size() - c.pos > limits.max_head_bytes || static_cast<std::size_t>(n) < sizeof tmp) break;
        continue;
      }
      if (n == 0) {
        c.eof = true;
        break;
      }
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      close_conn(c);
      return;
    }
    std::size_t head = head_length(c);
    if (head > limits.max_head_bytes || (head == 0 && c.buf.size() - c.pos > limits.max_head_bytes)) {
      send_and_forget(c.fd, 431, "Request Header Fields Too Large", "De aanvraag heeft te veel of te lange kopregels.\n");
      close_conn(c);
    } else if (head > 0) {
      dispatch(c);
    } else if (c.eof) {
      close_conn(c);
    }
  }

  void resume(Conn& c, Clock::time_point now) {
    compact(c);
    c.idle_since = now;
    c.head_open = !c.buf.empty();
    if (c.head_open) c.head_started = now;
    if (head_complete(c)) return dispatch(c);
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.fd = c.fd;
    if (::epoll_ctl(epfd, EPOLL_CTL_ADD, c.fd, &ev) != 0) close_conn(c);
  }

  // Closes connections that stayed idle past the keep-alive timeout, and those whose request did not
  // arrive completely within the request timeout (slow headers).
  void sweep(Clock::time_point now) {
    std::vector<Conn*> idle, slow;
    for (auto& [fd, c] : conns) {
      if (c->busy) continue;
      if (c->head_open) {
        if (now - c->head_started > limits.request_timeout) slow.push_back(c.get());
      } else if (now - c->idle_since > keep_alive) {
        idle.push_back(c.get());
      }
    }
    for (Conn* c : slow) {
      send_and_forget(c->fd, 408, "Request Timeout", "De aanvraag kwam te langzaam binnen.\n");
      close_conn(*c);
    }
    for (Conn* c : idle) close_conn(*c);
  }

  void dispatch(Conn& c) {
    ::epoll_ctl(epfd, EPOLL_CTL_DEL, c.fd, nullptr);
    c.busy = true;
    ++busy;
    {
      std::lock_guard lock(work_mu);
      work.push_back(&c);
      if (work.size() > idle_workers && workers.size() < limits.max_workers) {
        workers.emplace_back([this] { work_loop(); });
        worker_count = workers.size();
      }
    }
    work_cv.notify_one();
  }

  void work_loop() {
    for (;;) {
      Conn* c = nullptr;
      {
        std::unique_lock lock(work_mu);
        ++idle_workers;
        work_cv.wait(lock, [&] { return !work.empty() || work_stop; });
        --idle_workers;
        if (work.empty()) return;
        c = work.front();
        work.pop_front();
      }
      answer(*c);
    }
  }

  // Worker thread: answers the request whose head is in c.buf, and any pipelined after it.
  void answer(Conn& c) {
    for (;;) {
      ++c.requests;
      bool last = c.requests >= max_requests || c.eof;
      current_line = first_line(c);
      ConnStream stream(c, c.head_started + limits.request_timeout, read_timeout, write_timeout);
      bool closed = false;
      bool ok = server.process_request(stream, last, closed, nullptr);
      current_line.clear();
      bool close = !ok || closed || last || stopping_flag;
      if (!close) {
        compact(c);
        if (!c.buf.empty() && head_complete(c)) {
          c.head_started = Clock::now();
          continue;
        }
      }
      give_back(&c, close);
      return;
    }
  }
};

ConnectionServer::ConnectionServer(ConnectionLimits limits) : impl_(std::make_unique<Impl>(*this, limits)) {
  new_task_queue = [] { return new InlineQueue; };
}

ConnectionServer::~ConnectionServer() = default;

bool ConnectionServer::serve() {
  // httplib's compiled-in listen backlog is 5: a burst of new connections would see dropped SYNs and
  // one-second retransmits. listen() again on a listening socket only changes the backlog.
  if (svr_sock_ != INVALID_SOCKET) ::listen(svr_sock_, SOMAXCONN);
  impl_->start();
  bool ok = listen_after_bind();
  impl_->stop();
  return ok;
}

bool ConnectionServer::process_and_close_socket(socket_t sock) {
  impl_->on_accept(sock);
  return true;
}

const std::string& ConnectionServer::current_request_line() { return current_line; }

ConnectionServer::Stats ConnectionServer::stats() const {
  return {impl_->open_count.load(), impl_->worker_count.load()};
}

std::string request_line_path(std::string_view line) {
  auto a = line.find(' ');
  if (a == std::string_view::npos) return {};
  std::string_view target = line.substr(a + 1);
  target = target.substr(0, target.find(' '));
  if (!target.starts_with('/')) {  // absolute form: http://host/path
    auto scheme = target.find("://");
    if (scheme == std::string_view::npos) return {};
    auto slash = target.find('/', scheme + 3);
    target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
  }
  return std::string(target.substr(0, target.find('?')));
}

long raise_open_file_limit() {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return 1024;
  if (rl.rlim_cur < rl.rlim_max) {
    rlimit want = rl;
    want.rlim_cur = rl.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &want) == 0) rl = want;
  }
  return rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > static_cast<rlim_t>(LONG_MAX) ? LONG_MAX
                                                                                       : static_cast<long>(rl.rlim_cur);
}

}  // namespace lexicon
