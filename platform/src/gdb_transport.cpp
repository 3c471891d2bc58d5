#include "gdb_transport.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <algorithm>
#include <cstring>

#include "gdb_server.h"  // GdbError

namespace stvp {

namespace {
uint64_t now_ns() {
    return static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
            .count());
}
}  // namespace

GdbTcpTransport::GdbTcpTransport(uint16_t port) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0) throw GdbError(std::string("gdb: cannot create a socket: ") + std::strerror(errno));
    const int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);  // local debugging only: never exposed on the network
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listen_fd_, 1) != 0) {
        const std::string why = std::strerror(errno);
        ::close(listen_fd_);
        throw GdbError("gdb: cannot listen on 127.0.0.1:" + std::to_string(port) + ": " + why);
    }
    socklen_t len = sizeof a;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
}

GdbTcpTransport::~GdbTcpTransport() {
    close();
    if (listen_fd_ >= 0) ::close(listen_fd_);
}

void GdbTcpTransport::close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

bool GdbTcpTransport::accept(const std::function<bool()>& give_up) {
    while (fd_ < 0) {
        if (listen_fd_ < 0 || give_up()) return false;
        pollfd p{listen_fd_, POLLIN, 0};
        if (::poll(&p, 1, 200) <= 0) continue;
        fd_ = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    }
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::close(listen_fd_);  // one session per run
    listen_fd_ = -1;
    return true;
}

int GdbTcpTransport::read_byte(int timeout_ms) {
    if (inpos_ < inbuf_.size()) return static_cast<uint8_t>(inbuf_[inpos_++]);
    if (fd_ < 0 || closed_) return -1;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return -1;
    char buf[4096];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
        closed_ = true;
        return -1;
    }
    if (n < 0) return -1;
    inbuf_.assign(buf, static_cast<std::size_t>(n));
    inpos_ = 0;
    return static_cast<uint8_t>(inbuf_[inpos_++]);
}

bool GdbTcpTransport::write(const std::string& s) {
    std::size_t done = 0;
    while (done < s.size() && fd_ >= 0) {
        const ssize_t n = ::send(fd_, s.data() + done, s.size() - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            closed_ = true;
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    return done == s.size();
}

bool GdbTcpTransport::interrupt_requested() {
    if (fd_ < 0) return false;
    const uint64_t t = now_ns();
    if (t < next_poll_ns_) return false;
    next_poll_ns_ = t + 10'000'000;
    if (closed_) return true;
    char buf[256];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
    if (n == 0) {
        closed_ = true;
        return true;
    }
    if (n < 0) return false;  // nothing there (EAGAIN) or a transient error
    return std::memchr(buf, 0x03, static_cast<std::size_t>(n)) != nullptr;
}

int GdbByteStream::read_byte(int) {
    if (pos_ < in_.size()) return static_cast<uint8_t>(in_[pos_++]);
    closed_ = true;
    return -1;
}

bool GdbByteStream::write(const std::string& s) {
    if (closed_ || !connected_) return false;
    out_.append(s, 0, std::min(s.size(), kKeep - std::min(kKeep, out_.size())));
    return true;
}

bool GdbByteStream::interrupt_requested() {
    if (!connected_) return false;
    if (pos_ >= in_.size()) closed_ = true;
    if (closed_) return true;
    if (in_[pos_] != 0x03) return false;
    ++pos_;
    return true;
}

}  // namespace stvp
