-- ARGV: default channel, this server's schema. An empty store starts at that schema with the
-- default channel. Returns the schema the store is at; one other than ARGV[2] is left as it is
-- (an older one is migrated first, see migrate.lua; a newer one belongs to a newer server).
local stored = redis.call('HGET', 'rill:meta', 'schema')
if stored and stored ~= ARGV[2] then return stored end
redis.call('HSET', 'rill:meta', 'schema', ARGV[2])
redis.call('ZADD', 'rill:channels', 0, ARGV[1])
return ARGV[2]
