-- ARGV: instance, ttlMs. Records when this instance counts as dead if it stays silent (each
-- instance declares its own deadline, so instances may beat at different rates). Redis's clock
-- decides, not the instances'. Returns {1 if this instance was not listed (it had been taken
-- for dead, or is new), then instances to reap: dead ones and ones whose reaping another
-- instance left unfinished}, a few at a time; the caller reaps them with reap.lua.
local now = now_ms()
-- The bus carries message texts; trimming it by age as well as by length bounds how long a
-- deleted or replaced text survives there (docs/storage.md, "Texts, edits and deletions").
redis.call('XTRIM', 'rill:bus', 'MINID', '~', (now - BUS_MAX_AGE_MS) .. '-0')
local out = {redis.call('ZADD', 'rill:presence:instances', now + tonumber(ARGV[2]), ARGV[1])}
for _, inst in ipairs(redis.call('ZRANGEBYSCORE', 'rill:presence:instances', '-inf', now, 'LIMIT', 0, 16)) do
  if inst ~= ARGV[1] then out[#out + 1] = inst end
end
for _, inst in ipairs(redis.call('SRANDMEMBER', 'rill:presence:reaping', 16)) do out[#out + 1] = inst end
return out
