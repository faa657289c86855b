#include "sc_store.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <system_error>

#include "sc_errors.h"

namespace sc {
namespace {

using Clock = std::chrono::steady_clock;

enum Op : uint8_t { kHello = 0, kSet = 1, kGet = 2, kAdd = 3, kCheck = 4 };
enum Answer : uint8_t { kOk = 0, kAbsent = 1, kRefused = 2 };

constexpr uint32_t kMaxKey = 4096;
constexpr uint64_t kMaxValue = uint64_t{64} << 20;  // Gloo's addresses are bytes; a generous bound
constexpr uint64_t kMaxHello = 1024;                 // before the token is checked, nothing big is read
constexpr auto kTick = std::chrono::milliseconds(200);

std::string text(const StoreAddress& a) { return a.host + ":" + std::to_string(a.port); }

// The host's addresses; an unresolvable host is the caller's mistake, said at once.
struct Resolved {
    addrinfo* list = nullptr;
    ~Resolved() {
        if (list) freeaddrinfo(list);
    }
};

void resolve(const StoreAddress& address, bool passive, Resolved& out) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (passive) hints.ai_flags = AI_PASSIVE;
    const std::string port = std::to_string(address.port);
    const int rc = getaddrinfo(address.host.c_str(), port.c_str(), &hints, &out.list);
    if (rc != 0) {
        throw InvalidArgument("the master address '" + address.host + "' cannot be resolved (" + gai_strerror(rc) + ")");
    }
}

// Waits until fd is readable (or writable), the deadline passes, or `stop` is set. False on timeout/stop.
bool wait_for(int fd, short events, Clock::time_point deadline, const std::atomic<bool>* stop = nullptr) {
    for (;;) {
        if (stop && stop->load()) return false;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) return false;
        pollfd p{fd, events, 0};
        const int rc = poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), kTick.count())));
        if (rc > 0) return true;
        if (rc < 0 && errno != EINTR) return true;  // the read or write that follows reports the error
    }
}

enum class Io { Done, Timeout, Closed };

Io read_exact(int fd, void* data, size_t n, Clock::time_point deadline, const std::atomic<bool>* stop = nullptr) {
    auto* at = static_cast<char*>(data);
    while (n > 0) {
        if (!wait_for(fd, POLLIN, deadline, stop)) return Io::Timeout;
        const ssize_t got = recv(fd, at, n, 0);
        if (got == 0) return Io::Closed;
        if (got < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            return Io::Closed;
        }
        at += got;
        n -= static_cast<size_t>(got);
    }
    return Io::Done;
}

bool write_all(int fd, const void* data, size_t n) {
    const auto* at = static_cast<const char*>(data);
    while (n > 0) {
        const ssize_t sent = send(fd, at, n, MSG_NOSIGNAL);
        if (sent < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        at += sent;
        n -= static_cast<size_t>(sent);
    }
    return true;
}

template <typename T>
void put(std::vector<char>& out, T value) {
    const auto* bytes = reinterpret_cast<const char*>(&value);
    out.insert(out.end(), bytes, bytes + sizeof(T));
}

template <typename T>
T take(const std::vector<char>& in) {
    T value{};
    std::memcpy(&value, in.data(), std::min(sizeof(T), in.size()));
    return value;
}

bool send_frame(int fd, uint8_t head, const std::string& key, const std::vector<char>& payload) {
    std::vector<char> frame;
    frame.push_back(static_cast<char>(head));
    put<uint32_t>(frame, static_cast<uint32_t>(key.size()));
    put<uint64_t>(frame, payload.size());
    frame.insert(frame.end(), key.begin(), key.end());
    frame.insert(frame.end(), payload.begin(), payload.end());
    return write_all(fd, frame.data(), frame.size());
}

}  // namespace

// ---- server ----

StoreServer::StoreServer(const StoreAddress& address, std::string token) : token_(std::move(token)) {
    Resolved resolved;
    resolve(address, true, resolved);
    std::string failure = "no address";
    for (addrinfo* a = resolved.list; a && listener_ < 0; a = a->ai_next) {
        const int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) continue;
        const int on = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
        if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, 128) == 0) {
            listener_ = fd;
        } else {
            failure = std::strerror(errno);
            close(fd);
        }
    }
    if (listener_ < 0) {
        throw InvalidState("rank 0 could not serve the group's store at " + text(address) + " (" + failure + "; port in use?)");
    }
    acceptor_ = std::thread([this] { accept_loop(); });
}

StoreServer::~StoreServer() {
    stopping_ = true;
    changed_.notify_all();
    if (acceptor_.joinable()) acceptor_.join();
    {
        std::lock_guard<std::mutex> guard(lock_);
        for (auto& c : connections_) {
            if (!c->done) shutdown(c->fd, SHUT_RDWR);
        }
    }
    for (auto& c : connections_) c->thread.join();
    if (listener_ >= 0) close(listener_);
}

void StoreServer::accept_loop() {
    while (!stopping_) {
        reap_finished();
        if (!wait_for(listener_, POLLIN, Clock::now() + kTick, &stopping_)) continue;
        const int fd = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) continue;
        admit(fd);
    }
}

void StoreServer::admit(int fd) {
    if (pending_.load() >= kMaxPending) {
        // A flood of strangers: close the newest at once rather than grow; a rank's client retries.
        ++refused_;
        close(fd);
        return;
    }
    const int on = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
    std::lock_guard<std::mutex> guard(lock_);
    auto connection = std::make_unique<Connection>();
    connection->fd = fd;
    Connection& c = *connection;
    ++pending_;
    try {
        c.thread = std::thread([this, &c] { serve(c); });
    } catch (const std::system_error&) {
        // No thread to be had (the process is at its limit): this connection goes, the store stays.
        --pending_;
        close(fd);
        return;
    }
    connections_.push_back(std::move(connection));
}

// Joins the threads of connections that have closed, so that their stacks are freed now and not at
// the end of the run (20,000 unjoined threads once held 164 GB of address space).
void StoreServer::reap_finished() {
    std::list<std::unique_ptr<Connection>> finished;
    {
        std::lock_guard<std::mutex> guard(lock_);
        for (auto it = connections_.begin(); it != connections_.end();) {
            if ((*it)->done) {
                finished.push_back(std::move(*it));
                it = connections_.erase(it);
            } else {
                ++it;
            }
        }
    }
    for (auto& c : finished) c->thread.join();
}

void StoreServer::serve(Connection& connection) {
    const int fd = connection.fd;
    bool trusted = false;
    // Everything here is caught: a client's bytes must never end the process.
    try {
        // A rank presents its token as soon as it connects; a stranger gets a few seconds.
        const auto hello_deadline = Clock::now() + std::chrono::seconds(5);
        for (;;) {
            char header[13];
            const auto next = trusted ? Clock::time_point::max() : hello_deadline;
            if (read_exact(fd, header, sizeof(header), next, &stopping_) != Io::Done) break;
            const auto op = static_cast<uint8_t>(header[0]);
            uint32_t key_length;
            uint64_t payload_length;
            std::memcpy(&key_length, header + 1, 4);
            std::memcpy(&payload_length, header + 5, 8);
            if (key_length > kMaxKey || payload_length > (trusted ? kMaxValue : kMaxHello)) break;
            std::string key(key_length, '\0');
            std::vector<char> payload(payload_length);
            const auto deadline = trusted ? Clock::now() + std::chrono::seconds(30) : hello_deadline;  // the rest of a frame comes at once
            if (read_exact(fd, key.data(), key.size(), deadline, &stopping_) != Io::Done) break;
            if (read_exact(fd, payload.data(), payload.size(), deadline, &stopping_) != Io::Done) break;
            if (!trusted) {
                const bool accepted = op == kHello && std::string(payload.begin(), payload.end()) == token_;
                send_frame(fd, accepted ? kOk : kRefused, "", {});
                if (!accepted) {
                    ++refused_;
                    break;
                }
                trusted = true;
                --pending_;
                continue;
            }
            std::vector<char> answer;
            uint8_t status = kOk;
            std::unique_lock<std::mutex> guard(lock_);
            switch (op) {
                case kSet:
                    values_[key] = std::move(payload);
                    changed_.notify_all();
                    break;
                case kGet: {
                    const auto wait = std::chrono::milliseconds(take<uint64_t>(payload));
                    const bool found = changed_.wait_for(guard, wait, [&] { return stopping_ || values_.count(key) > 0; }) && !stopping_;
                    if (found) {
                        answer = values_[key];
                    } else {
                        status = kAbsent;
                    }
                    break;
                }
                case kAdd: {
                    auto& value = values_[key];
                    const int64_t next = take<int64_t>(value) + take<int64_t>(payload);
                    value.clear();
                    put<int64_t>(value, next);
                    answer = value;
                    changed_.notify_all();
                    break;
                }
                case kCheck:
                    status = values_.count(key) ? kOk : kAbsent;
                    break;
                default:
                    status = kRefused;
            }
            guard.unlock();
            if (!send_frame(fd, status, "", answer)) break;
        }
    } catch (...) {
    }
    if (!trusted) --pending_;
    std::lock_guard<std::mutex> guard(lock_);
    shutdown(fd, SHUT_RDWR);
    close(fd);
    connection.done = true;
}

// ---- client ----

StoreClient::StoreClient(const StoreAddress& address, const std::string& token, std::chrono::milliseconds timeout)
    : address_(address), timeout_(timeout) {
    Resolved resolved;
    resolve(address, false, resolved);
    const auto deadline = Clock::now() + timeout;
    // A store flooded by strangers closes new connections before reading them: that is retried
    // within the timeout like a store not up yet.
    for (;;) {
        connect_within(resolved.list, deadline);
        const Hello hello = present(token, deadline);
        if (hello == Hello::Accepted) return;
        close(socket_);
        socket_ = -1;
        if (hello == Hello::Refused) {
            throw InvalidArgument("rank 0's store at " + text(address) +
                                  " refused this process: its token differs from this run's (set the same SEQCLASSIFY_DIST_TOKEN on every rank)");
        }
        if (hello == Hello::Foreign) {
            throw PeerFailure("the store at " + text(address) + " answered with something that is not SeqClassify's store protocol " +
                              "(another program listens on that port, an HTTP server perhaps; is it rank 0's address and port?)");
        }
        if (hello == Hello::Silent) {
            throw PeerFailure("the store at " + text(address) + " did not answer within " + std::to_string(timeout.count()) +
                              " ms (is it rank 0 of this run? another program may listen on that port)");
        }
        if (Clock::now() >= deadline) {
            throw PeerFailure("the store at " + text(address) + " closed the connection (is it rank 0 of this run? another program may listen on that port)");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

void StoreClient::connect_within(addrinfo* addresses, std::chrono::steady_clock::time_point deadline) {
    std::string last = "no answer";
    while (socket_ < 0) {
        for (addrinfo* a = addresses; a && socket_ < 0; a = a->ai_next) {
            const int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
            if (fd < 0) continue;
            int rc = connect(fd, a->ai_addr, a->ai_addrlen);
            if (rc < 0 && errno == EINPROGRESS) {
                int error = ETIMEDOUT;
                socklen_t length = sizeof(error);
                if (wait_for(fd, POLLOUT, std::min(deadline, Clock::now() + std::chrono::seconds(2)))) {
                    getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
                }
                rc = error == 0 ? 0 : -1;
                errno = error;
            }
            if (rc == 0) {
                fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
                const int on = 1;
                setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
                socket_ = fd;
            } else {
                last = std::strerror(errno);
                close(fd);
            }
        }
        if (socket_ >= 0) break;
        if (Clock::now() >= deadline) {
            throw PeerFailure("could not reach rank 0's store at " + text(address_) + " within " + std::to_string(timeout_.count()) +
                              " ms (" + last + "; rank 0 not started, or the address or port is wrong or blocked)");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

// The token first; the answer must come before the deadline too (a port that accepts and never
// answers is not rank 0's store).
StoreClient::Hello StoreClient::present(const std::string& token, std::chrono::steady_clock::time_point deadline) {
    if (!send_frame(socket_, kHello, "", std::vector<char>(token.begin(), token.end()))) return Hello::Closed;
    char header[13];
    const Io io = read_exact(socket_, header, sizeof(header), deadline);
    if (io == Io::Timeout) return Hello::Silent;
    if (io == Io::Closed) return Hello::Closed;
    // The store answers a hello with a bare status frame; anything else (an HTTP server's "HTTP/1.1 400")
    // is another program on that port, not a refusal of the token.
    const auto status = static_cast<uint8_t>(header[0]);
    if ((status != kOk && status != kRefused) || std::any_of(header + 1, header + sizeof(header), [](char c) { return c != 0; })) return Hello::Foreign;
    return status == kOk ? Hello::Accepted : Hello::Refused;
}

StoreClient::~StoreClient() {
    if (socket_ >= 0) close(socket_);
}

std::string StoreClient::where() const { return text(address_); }

std::vector<char> StoreClient::request(uint8_t op, const std::string& key, const std::vector<char>& payload, std::chrono::milliseconds wait) {
    std::lock_guard<std::mutex> guard(lock_);
    const auto failed = [&](const std::string& what) {
        return PeerFailure("rank 0's store at " + text(address_) + " " + what + " (rank 0 died or hangs)");
    };
    if (!send_frame(socket_, op, key, payload)) throw failed("closed the connection");
    char header[13];
    const auto deadline = Clock::now() + wait + timeout_;
    const Io io = read_exact(socket_, header, sizeof(header), deadline);
    if (io != Io::Done) throw failed(io == Io::Timeout ? "did not answer" : "closed the connection");
    uint64_t length;
    std::memcpy(&length, header + 5, 8);
    if (length > kMaxValue) throw failed("sent a malformed answer");
    std::vector<char> answer(length);
    if (read_exact(socket_, answer.data(), answer.size(), deadline) != Io::Done) throw failed("did not finish its answer");
    if (static_cast<uint8_t>(header[0]) == kAbsent) {
        if (op == kCheck) return {};
        throw PeerFailure("key '" + key + "' did not appear in the store within " + std::to_string(wait.count()) + " ms");
    }
    if (op == kCheck) return {1};
    return answer;
}

void StoreClient::set(const std::string& key, const std::vector<char>& value) { request(kSet, key, value, std::chrono::milliseconds(0)); }

std::vector<char> StoreClient::get(const std::string& key, std::chrono::milliseconds timeout) {
    std::vector<char> wait;
    put<uint64_t>(wait, static_cast<uint64_t>(timeout.count()));
    return request(kGet, key, wait, timeout);
}

int64_t StoreClient::add(const std::string& key, int64_t delta) {
    std::vector<char> payload;
    put<int64_t>(payload, delta);
    return take<int64_t>(request(kAdd, key, payload, std::chrono::milliseconds(0)));
}

bool StoreClient::check(const std::string& key) { return !request(kCheck, key, {}, std::chrono::milliseconds(0)).empty(); }

}  // namespace sc
