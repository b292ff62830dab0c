#pragma once

#include <QtGlobal>

#include <cstddef>
#include <memory>
#include <vector>

struct iovec;

namespace rill::server {

// Sends on many descriptors in one system call (io_uring), for the write batcher's flush.
//
// At 100k deliveries/s nearly every delivery is its own sendmsg(2) on its own connection, and
// entering the kernel once per send was about a third of each send's cost on the benchmark
// machine (bench/README.md, issue 12). Staging a turn's sends and submitting them together
// pays that entry once per submission instead.
//
// Every send carries MSG_DONTWAIT, so io_uring completes it during the submission, as a
// non-blocking sendmsg would (bytes taken, or -EAGAIN when the kernel's buffer is full)
// instead of waiting for the socket: submit() never blocks the event loop, and the staged
// buffers are free again when it returns.
class SendRing
{
public:
    // Null where the kernel offers no io_uring or refuses it (too old, seccomp,
    // kernel.io_uring_disabled); the caller then writes with sendmsg(2).
    [[nodiscard]] static std::unique_ptr<SendRing> open();
    ~SendRing();
    SendRing(const SendRing &) = delete;
    SendRing &operator=(const SendRing &) = delete;

    // Room for one send of `count` buffers on `descriptor`, for the caller to fill; null when
    // the ring is full (submit first). `token` comes back with the send's result.
    [[nodiscard]] iovec *stage(int descriptor, std::size_t count, void *token);
    [[nodiscard]] bool isEmpty() const { return m_staged == 0; }
    // After a failed submission the ring stages nothing more; its owner drops it.
    [[nodiscard]] bool isBroken() const { return m_broken; }

    struct Completion {
        void *token;
        int result; // bytes the kernel took, or -errno
    };
    // Submits every staged send and returns their results, in no particular order. Valid until
    // the next submit().
    [[nodiscard]] const std::vector<Completion> &submit();

    // Submissions so far (system calls made), for tests and figures.
    [[nodiscard]] quint64 submissions() const { return m_submissions; }

private:
    struct Ring;
    explicit SendRing(std::unique_ptr<Ring> ring);

    std::unique_ptr<Ring> m_ring;
    std::vector<Completion> m_completions;
    std::size_t m_staged = 0;
    std::size_t m_buffersUsed = 0;
    quint64 m_submissions = 0;
    bool m_broken = false;
};

} // namespace rill::server
