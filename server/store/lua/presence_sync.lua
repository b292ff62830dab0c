-- ARGV: instance, then every user key with a session on it now. Makes Redis agree with the
-- instance after up/down calls were lost (an outage, an overload), with the same events.
local set = 'rill:presence:instance:' .. ARGV[1]
local here = {}
for i = 2, #ARGV do here[ARGV[i]] = true end
for _, u in ipairs(redis.call('SMEMBERS', set)) do
  if not here[u] then
    redis.call('SREM', set, u)
    if redis.call('HINCRBY', 'rill:presence:online', u, -1) <= 0 then
      redis.call('HDEL', 'rill:presence:online', u)
      presence_event(u, '0')
    end
  end
end
for i = 2, #ARGV do
  if redis.call('SADD', set, ARGV[i]) == 1 then
    if redis.call('HINCRBY', 'rill:presence:online', ARGV[i], 1) == 1 then presence_event(ARGV[i], '1') end
  end
end
return 'OK'
