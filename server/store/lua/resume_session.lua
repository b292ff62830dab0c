-- Log-in with a token. ARGV: tokenHash, tokenTtlSeconds. Using a token restarts its idle clock.
local key = 'rill:token:' .. ARGV[1]
local userKey = redis.call('GET', key)
if not userKey or redis.call('EXISTS', ukey(userKey)) == 0 then return {'bad_credentials'} end
redis.call('EXPIRE', key, ARGV[2])
return snapshot(userKey)
