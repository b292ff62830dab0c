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
redis.call('HSET', ukey(userKey, 'read'), ch, upTo)
bus('e', 'read', 'to', userKey, 'o', origin, 'c', ch, 'up', upTo)
return {'ok', upTo, 1}
