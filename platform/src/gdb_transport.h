// How the GDB stub (gdb_server.h) talks to gdb: a byte stream in each direction. stvp uses
// GdbTcpTransport (one connection on 127.0.0.1); tests and the fuzz harness use GdbByteStream,
// which plays back a fixed byte string as what gdb sends.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace stvp {

class GdbTransport {
public:
    virtual ~GdbTransport() = default;
    // Waits until gdb is connected; false if give_up() (polled a few times a second) became
    // true first.
    virtual bool accept(const std::function<bool()>& give_up) = 0;
    virtual bool connected() const = 0;
    // The next byte from gdb, waiting up to timeout_ms; -1 on a timeout, or for good once the
    // connection is closed (closed() tells which).
    virtual int read_byte(int timeout_ms) = 0;
    // Sends all of `s`; false if the connection failed (then closed()).
    virtual bool write(const std::string& s) = 0;
    virtual bool closed() const = 0;
    // Polled at slice boundaries while the target runs (keep it cheap): true if gdb sent its
    // interrupt byte (0x03) or the connection closed. In all-stop mode gdb sends nothing
    // else while the target runs.
    virtual bool interrupt_requested() = 0;
    virtual void close() = 0;
};

// A TCP listener on 127.0.0.1 only (local debugging: never exposed on the network) that
// accepts one connection.
class GdbTcpTransport : public GdbTransport {
public:
    // port 0: the system picks a free port (see port()). Throws GdbError if the socket cannot
    // be opened.
    explicit GdbTcpTransport(uint16_t port);
    ~GdbTcpTransport() override;
    GdbTcpTransport(const GdbTcpTransport&) = delete;
    GdbTcpTransport& operator=(const GdbTcpTransport&) = delete;
    uint16_t port() const { return port_; }

    bool accept(const std::function<bool()>& give_up) override;
    bool connected() const override { return fd_ >= 0; }
    int read_byte(int timeout_ms) override;
    bool write(const std::string& s) override;
    bool closed() const override { return closed_; }
    bool interrupt_requested() override;  // looks at the socket at most every 10 ms of wall time
    void close() override;

private:
    int listen_fd_ = -1;
    int fd_ = -1;
    uint16_t port_ = 0;
    bool closed_ = false;
    std::string inbuf_;
    std::size_t inpos_ = 0;
    uint64_t next_poll_ns_ = 0;  // steady-clock time of the next interrupt poll
};

// gdb's side given in advance: read_byte() returns `from_gdb` byte by byte, never waits, and
// reports the connection closed at its end. interrupt_requested() takes the next byte only if
// it is 0x03, so a recorded session plays back in order. What the stub sends is kept (the
// first kKeep bytes) for tests to read.
class GdbByteStream : public GdbTransport {
public:
    static constexpr std::size_t kKeep = 1 << 20;
    explicit GdbByteStream(std::string from_gdb) : in_(std::move(from_gdb)) {}

    bool accept(const std::function<bool()>&) override { return connected_ = !closed_; }
    bool connected() const override { return connected_; }
    int read_byte(int timeout_ms) override;
    bool write(const std::string& s) override;
    bool closed() const override { return closed_; }
    bool interrupt_requested() override;
    void close() override { closed_ = true, connected_ = false; }

    const std::string& sent() const { return out_; }
    std::size_t unread() const { return in_.size() - pos_; }

private:
    std::string in_, out_;
    std::size_t pos_ = 0;
    bool connected_ = false, closed_ = false;
};

}  // namespace stvp
