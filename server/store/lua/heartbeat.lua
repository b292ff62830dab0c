-- ARGV: instance, deadAfterMs. Beats for this instance and reaps the silent ones. Redis's
-- clock, not the instances', decides who is dead, so clock skew between hosts does not matter.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', 'rill:presence:instances', now, ARGV[1])
local reaped = 0
for _, inst in ipairs(redis.call('ZRANGEBYSCORE', 'rill:presence:instances', '-inf', now - tonumber(ARGV[2]))) do
  if inst ~= ARGV[1] then reaped = reaped + reap(inst) end
end
return reaped
