-- ARGV: userKey, name, peerKey, channel (dm:<a>:<b>), origin session, most channels per user
local userKey, name, peerKey, ch, origin = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local maxChannels = tonumber(ARGV[6])
local peerName = redis.call('HGET', ukey(peerKey), 'name')
if not peerName then return {'no_such_user'} end
local addMe = not is_member(ch, name)
local addPeer = peerKey ~= userKey and not is_member(ch, peerName)
if addMe and at_channel_cap(userKey, maxChannels) then
  return {'forbidden', 'you are in ' .. maxChannels .. ' channels, the most one user may be in; leave one first'}
end
if addPeer and at_channel_cap(peerKey, maxChannels) then
  return {'forbidden', peerName .. ' is in as many channels as one user may be in'}
end
local function add(key, who)
  redis.call('ZADD', ckey(ch, 'members'), 0, who)
  redis.call('SADD', ukey(key, 'channels'), ch)
end
if addMe then add(userKey, name) end
if addPeer then add(peerKey, peerName) end
-- Announced after both are in, so each sees the full member count.
if addMe then announce_channel(ch, userKey, origin) end
if addPeer then announce_channel(ch, peerKey, '') end
local out = {'ok'}
append_channel_info(out, 1, ch, userKey)
return out
