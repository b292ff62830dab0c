-- Log-in with a token. ARGV: tokenHash, tokenTtlSeconds. Using a token restarts its idle clock.
local userKey = token_user(ARGV[1])
if not userKey or redis.call('EXISTS', ukey(userKey)) == 0 then return {'bad_credentials'} end
redis.call('EXPIRE', 'rill:token:' .. ARGV[1], ARGV[2])
return snapshot(userKey)
