-- After a password check. ARGV: userKey, tokenHash, tokenTtlSeconds
if redis.call('EXISTS', ukey(ARGV[1])) == 0 then return {'bad_credentials'} end
issue_token(ARGV[2], ARGV[1], ARGV[3])
return snapshot(ARGV[1])
