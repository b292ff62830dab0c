-- ARGV: 'take' | 'refund', window (seconds), then pairs of key, limit (a limit of 0: no limit).
-- take: when any key has reached its limit, {'rate_limited', message, seconds until its window
--       ends} and nothing counted; else one more on every key ({'ok'}). A key's window starts
--       at its first count and lasts `window`.
-- refund: one less on every key (an attempt that turned out to succeed).
local mode, window = ARGV[1], tonumber(ARGV[2])
if mode == 'refund' then
  for i = 3, #ARGV, 2 do
    if tonumber(redis.call('GET', ARGV[i]) or '0') > 0 then redis.call('DECR', ARGV[i]) end
  end
  return {'ok'}
end
local wait = 0
for i = 3, #ARGV, 2 do
  local key, limit = ARGV[i], tonumber(ARGV[i + 1])
  if limit > 0 and tonumber(redis.call('GET', key) or '0') >= limit then
    local ttl = redis.call('TTL', key)
    if ttl < 0 then
      redis.call('EXPIRE', key, window)
      ttl = window
    end
    wait = math.max(wait, ttl)
  end
end
if wait > 0 then return {'rate_limited', 'too many attempts; try again in ' .. wait .. ' s', wait} end
for i = 3, #ARGV, 2 do
  if tonumber(ARGV[i + 1]) > 0 and redis.call('INCR', ARGV[i]) == 1 then redis.call('EXPIRE', ARGV[i], window) end
end
return {'ok'}
