// The rendezvous store of a process group: a small key-value service over TCP that rank 0 serves and
// every rank (rank 0 too) uses, to exchange Gloo's connection addresses and to beat heartbeats.
//
// Why our own: PyTorch's TCPStore is libtorch's, and the Gloo that Debian ships has no TCP store
// (only file, hash and Redis stores). The collectives themselves are Gloo's; this only introduces
// the ranks to each other.
//
// It listens on the master address it is given (loopback stays loopback), and a connection counts
// only once it has presented the run's token: anyone else is answered "refused" and disconnected.
// Strangers cannot exhaust it: a connection must present the token within a few seconds, at most
// kMaxPending such connections wait at once (more are closed at once; a rank retries), and every
// finished connection's thread is joined as the next one is accepted, so memory and threads stay
// bounded whatever arrives on the port.
// Every wait has a deadline, and every failure is an exception (no thread of the store lets one
// escape: a peer that accepts and never answers, or resets the connection, is a timeout or an error
// naming the address, not a crash).
#pragma once
#include <atomic>
#include <chrono>
#include <list>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <netdb.h>
#include <string>
#include <thread>
#include <vector>

namespace sc {

// The address and port a store listens on or connects to, resolved once: an unresolvable host is
// refused at once, naming it (InvalidArgument).
struct StoreAddress {
    std::string host;
    int port;
};

class StoreServer {
public:
    // Listens on host:port (the host's first address). Throws InvalidState when the port is taken.
    StoreServer(const StoreAddress& address, std::string token);
    ~StoreServer();
    StoreServer(const StoreServer&) = delete;
    StoreServer& operator=(const StoreServer&) = delete;

    // Connections refused for a wrong token so far.
    int64_t refused() const { return refused_.load(); }

    // Connections that have not presented the token yet, at most, before new ones are closed at once.
    static constexpr int kMaxPending = 64;

private:
    // One accepted connection and the thread that serves it; `done` once the thread closed the socket.
    struct Connection {
        int fd;
        std::atomic<bool> done{false};
        std::thread thread;
    };

    void accept_loop();
    void admit(int fd);
    void reap_finished();
    void serve(Connection& connection);

    std::string token_;
    int listener_ = -1;
    std::atomic<bool> stopping_{false};
    std::atomic<int64_t> refused_{0};
    std::mutex lock_;
    std::condition_variable changed_;
    std::map<std::string, std::vector<char>> values_;
    std::list<std::unique_ptr<Connection>> connections_;  // under lock_
    std::atomic<int> pending_{0};                         // connections not yet past the token
    std::thread acceptor_;
};

class StoreClient {
public:
    // Connects (retrying while the server is not up yet) and presents the token, within timeout.
    // Throws PeerFailure naming the address when the server cannot be reached, and InvalidArgument
    // when it refuses the token.
    StoreClient(const StoreAddress& address, const std::string& token, std::chrono::milliseconds timeout);
    ~StoreClient();
    StoreClient(const StoreClient&) = delete;
    StoreClient& operator=(const StoreClient&) = delete;

    void set(const std::string& key, const std::vector<char>& value);
    // Waits up to the timeout for the key to exist; throws PeerFailure past it.
    std::vector<char> get(const std::string& key, std::chrono::milliseconds timeout);
    // Adds delta to the key's counter (0 when absent) and returns the new value.
    int64_t add(const std::string& key, int64_t delta);
    bool check(const std::string& key);
    std::string where() const;

private:
    enum class Hello { Accepted, Refused, Closed, Silent, Foreign };
    void connect_within(addrinfo* addresses, std::chrono::steady_clock::time_point deadline);
    Hello present(const std::string& token, std::chrono::steady_clock::time_point deadline);
    std::vector<char> request(uint8_t op, const std::string& key, const std::vector<char>& payload, std::chrono::milliseconds wait);

    StoreAddress address_;
    std::chrono::milliseconds timeout_;
    int socket_ = -1;
    std::mutex lock_;  // one request at a time on the connection
};

}  // namespace sc
