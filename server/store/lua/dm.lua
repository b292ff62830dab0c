-- ARGV: userKey, name, peerKey, channel (dm:<a>:<b>), origin session
local userKey, name, peerKey, ch, origin = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local peerName = redis.call('HGET', ukey(peerKey), 'name')
if not peerName then return {'no_such_user'} end
local function add(key, who)
  if redis.call('SADD', ckey(ch, 'members'), who) == 1 then
    redis.call('SADD', ukey(key, 'channels'), ch)
    return true
  end
  return false
end
local addedMe = add(userKey, name)
local addedPeer = false
if peerKey ~= userKey then addedPeer = add(peerKey, peerName) end
-- Announced after both are in, so each sees the full member count.
if addedMe then announce_channel(ch, userKey, name, origin) end
if addedPeer then announce_channel(ch, peerKey, peerName, '') end
local out = {'ok'}
for _, v in ipairs(channel_info(ch, userKey, name)) do out[#out + 1] = v end
return out
