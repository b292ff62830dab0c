-- ARGV: userKey, name, channel, upTo, origin session. Moves the marker forward only.
local userKey, name, ch, upTo, origin = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
if not is_member(ch, name) then return {'not_member'} end
local function parse(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return tonumber(ms), tonumber(seq)
end
local function after(a, b) -- a > b
  local am, as = parse(a)
  local bm, bs = parse(b)
  return am > bm or (am == bm and as > bs)
end
local newest = newest_entry(ch)
if not newest or after(upTo, newest[1]) then return {'bad_request', 'upTo is after the newest message'} end
local current = redis.call('HGET', ukey(userKey, 'read'), ch)
if current and not after(upTo, current) then return {'ok', current, 0} end
-- How many of the user's own messages are at or before the marker, for unread counts: their
-- count now minus the ones after it. Markers move to what the user sees, near the newest
-- entry, so the scan is short; it is bounded all the same.
local ownAfter, from, scanned = 0, '(' .. upTo, 0
while scanned < 20000 do
  local batch = redis.call('XRANGE', ckey(ch, 'log'), from, '+', 'COUNT', 500)
  for _, e in ipairs(batch) do
    if field(e[2], 'k') == 'm' and field(e[2], 'u') == name then ownAfter = ownAfter + 1 end
  end
  scanned = scanned + #batch
  if #batch < 500 then break end
  from = '(' .. batch[#batch][1]
end
local ownNow = tonumber(redis.call('HGET', ckey(ch, 'authored'), userKey) or '0')
redis.call('HSET', ukey(userKey, 'read'), ch, upTo)
redis.call('HSET', ukey(userKey, 'readown'), ch, math.max(0, ownNow - ownAfter))
bus('e', 'read', 'to', userKey, 'o', origin, 'c', ch, 'up', upTo)
return {'ok', upTo, 1}
