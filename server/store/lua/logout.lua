-- ARGV: userKey, tokenHash, all ('1' | '0'), origin session. Revokes the token, or every token
-- of the user (those issued up to now: see issue_token), and tells every instance, whose
-- sessions on a revoked token end.
local userKey, tokenHash, all, origin = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
redis.call('DEL', 'rill:token:' .. tokenHash)
if all == '1' then
  redis.call('HSET', ukey(userKey), 'tokensFrom', now_us_text())
  bus('e', 'out', 'to', userKey, 'o', origin)
else
  bus('e', 'out', 'to', userKey, 't', tokenHash, 'o', origin)
end
return {'ok'}
