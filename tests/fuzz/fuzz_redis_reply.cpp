// Bytes from Redis (a compromised or confused server, a proxy) through hiredis's reader into
// RedisReply, and from there into the parsers that turn stream entries into Rill's values.
#include "hub/BusEvent.h"
#include "redis/RedisReply.h"
#include "store/Store.h"

#include <QString>

#include <hiredis/hiredis.h>

#include <cstddef>
#include <cstdint>
#include <memory>

using rill::redis::RedisReply;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::unique_ptr<redisReader, decltype(&redisReaderFree)> reader(redisReaderCreate(), &redisReaderFree);
    if (redisReaderFeed(reader.get(), reinterpret_cast<const char *>(data), size) != REDIS_OK)
        return 0;
    for (int replies = 0; replies < 64; ++replies) {
        void *raw = nullptr;
        if (redisReaderGetReply(reader.get(), &raw) != REDIS_OK || !raw)
            break;
        const std::unique_ptr<redisReply, decltype(&freeReplyObject)> hiredisReply(static_cast<redisReply *>(raw),
                                                                                   &freeReplyObject);
        const RedisReply reply = RedisReply::fromHiredis(hiredisReply.get());
        (void)reply.describe();
        // The shapes the server reads: a stream entry, and XREAD's [[stream, [entries]]].
        (void)rill::store::Store::messageFromEntry(QStringLiteral("general"), reply);
        (void)rill::server::BusEvent::fromEntry(reply);
        (void)rill::server::BusEvent::sequenceOf(reply);
        if (reply.isArray()) {
            for (const RedisReply &element : reply.elements()) {
                (void)rill::store::Store::messageFromEntry(QStringLiteral("general"), element);
                (void)rill::server::BusEvent::fromEntry(element);
            }
        }
    }
    return 0;
}
