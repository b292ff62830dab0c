#include "SendRing.h"

#include <QLoggingCategory>

#include <array>
#include <cerrno>
#include <cstring>

#include <liburing.h>
#include <sys/socket.h>
#include <sys/uio.h>

Q_LOGGING_CATEGORY(lcSendRing, "rill.sendring", QtInfoMsg)

namespace rill::server {

namespace {
// Sends per submission: a turn's deliveries to 256 connections cost one system call; more
// connections take more submissions.
constexpr unsigned kDepth = 256;
// Buffers (frames) for all the staged sends together; a connection with many frames queued
// fills the ring sooner.
constexpr std::size_t kBuffers = 4 * kDepth;
} // namespace

struct SendRing::Ring {
    io_uring ring{};
    std::array<msghdr, kDepth> headers{};
    std::array<iovec, kBuffers> buffers{};
    std::array<void *, kDepth> tokens{};
};

std::unique_ptr<SendRing> SendRing::open()
{
    auto ring = std::make_unique<Ring>();
    if (const int error = io_uring_queue_init(kDepth, &ring->ring, 0); error < 0) {
        qCInfo(lcSendRing) << "io_uring unavailable (" << std::strerror(-error) << "): writing with sendmsg";
        return nullptr;
    }
    return std::unique_ptr<SendRing>(new SendRing(std::move(ring)));
}

SendRing::SendRing(std::unique_ptr<Ring> ring)
    : m_ring(std::move(ring))
{
    m_completions.reserve(kDepth);
}

SendRing::~SendRing()
{
    io_uring_queue_exit(&m_ring->ring);
}

iovec *SendRing::stage(int descriptor, std::size_t count, void *token)
{
    if (m_broken || m_staged == kDepth || m_buffersUsed + count > kBuffers)
        return nullptr;
    io_uring_sqe *entry = io_uring_get_sqe(&m_ring->ring);
    if (!entry)
        return nullptr;
    iovec *buffers = &m_ring->buffers[m_buffersUsed];
    msghdr &header = m_ring->headers[m_staged];
    header = msghdr{};
    header.msg_iov = buffers;
    header.msg_iovlen = count;
    io_uring_prep_sendmsg(entry, descriptor, &header, MSG_NOSIGNAL | MSG_DONTWAIT);
    io_uring_sqe_set_data(entry, token);
    m_ring->tokens[m_staged] = token;
    ++m_staged;
    m_buffersUsed += count;
    return buffers;
}

const std::vector<SendRing::Completion> &SendRing::submit()
{
    m_completions.clear();
    if (m_staged == 0 || m_broken)
        return m_completions;
    int submitted;
    do {
        // Returns at once: MSG_DONTWAIT sends complete during the submission.
        submitted = io_uring_submit_and_wait(&m_ring->ring, unsigned(m_staged));
    } while (submitted == -EINTR);
    ++m_submissions;
    if (submitted < 0) {
        // The submission failed as a whole (not a send). Every staged send reports that the
        // kernel took nothing, so its connection keeps the frames and writes them with
        // sendmsg once writable; the ring is not used again (its queue may still hold them).
        qCWarning(lcSendRing) << "io_uring submission failed (" << std::strerror(-submitted) << "): writing with sendmsg";
        m_broken = true;
        for (std::size_t i = 0; i < m_staged; ++i)
            m_completions.push_back({m_ring->tokens[i], 0});
    } else {
        io_uring_cqe *completion = nullptr;
        unsigned head = 0;
        unsigned seen = 0;
        io_uring_for_each_cqe(&m_ring->ring, head, completion)
        {
            m_completions.push_back({io_uring_cqe_get_data(completion), completion->res});
            ++seen;
        }
        io_uring_cq_advance(&m_ring->ring, seen);
    }
    m_staged = 0;
    m_buffersUsed = 0;
    return m_completions;
}

} // namespace rill::server
