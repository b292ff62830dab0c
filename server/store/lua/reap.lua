-- ARGV: instance, budget. One bounded step of taking a dead (or stopping) instance's users off
-- line. The first step claims it (ZREM: once, whoever gets there) and sets its users aside in
-- rill:presence:reaping:<instance>, listed in rill:presence:reaping so that any instance can
-- finish the job if this one dies half-way. Returns {users taken off line now, users left}.
local inst, budget = ARGV[1], tonumber(ARGV[2])
local pending = 'rill:presence:reaping:' .. inst
if redis.call('ZREM', 'rill:presence:instances', inst) == 1 then
  local set = 'rill:presence:instance:' .. inst
  if redis.call('EXISTS', set) == 1 then
    -- A rename is O(1) where copying 100,000 users held Redis ~110 ms; a set left by an
    -- earlier claim (the same instance name dying twice) is merged, never lost.
    if redis.call('EXISTS', pending) == 0 then
      redis.call('RENAME', set, pending)
    else
      redis.call('SUNIONSTORE', pending, pending, set)
      redis.call('UNLINK', set)
    end
    redis.call('SADD', 'rill:presence:reaping', inst)
  end
end
local offline = 0
local users = redis.call('SPOP', pending, budget)
for _, u in ipairs(users) do
  if redis.call('HINCRBY', 'rill:presence:online', u, -1) <= 0 then
    redis.call('HDEL', 'rill:presence:online', u)
    presence_event(u, '0')
    offline = offline + 1
  end
end
local left = redis.call('SCARD', pending)
if left == 0 then redis.call('SREM', 'rill:presence:reaping', inst) end
return {offline, left}
