-- ARGV: userKey, name, passwordHash, tokenHash, tokenTtlSeconds, defaultChannel, nowMs
local userKey, name = ARGV[1], ARGV[2]
if redis.call('EXISTS', ukey(userKey)) == 1 then return {'user_taken'} end
redis.call('HSET', ukey(userKey), 'name', name, 'pw', ARGV[3], 'created', ARGV[7])
issue_token(ARGV[4], userKey, ARGV[5])
redis.call('ZADD', 'rill:channels', 0, ARGV[6])
add_member(ARGV[6], userKey, name, '', false)
return snapshot(userKey)
