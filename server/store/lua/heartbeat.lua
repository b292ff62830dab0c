-- ARGV: instance, ttlMs. Records when this instance counts as dead if it stays silent (each
-- instance declares its own deadline, so instances may beat at different rates), and reaps
-- the instances whose deadline has passed. Redis's clock decides, not the instances'.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', 'rill:presence:instances', now + tonumber(ARGV[2]), ARGV[1])
local reaped = 0
for _, inst in ipairs(redis.call('ZRANGEBYSCORE', 'rill:presence:instances', '-inf', now)) do
  if inst ~= ARGV[1] then reaped = reaped + reap(inst) end
end
return reaped
