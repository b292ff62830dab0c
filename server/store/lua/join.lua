-- ARGV: userKey, name, channel, origin session. Creates the channel if new.
local userKey, name, ch = ARGV[1], ARGV[2], ARGV[3]
redis.call('SADD', 'rill:channels', ch)
add_member(ch, userKey, name, ARGV[4], true)
local out = {'ok'}
for _, v in ipairs(channel_info(ch, userKey, name)) do out[#out + 1] = v end
return out
