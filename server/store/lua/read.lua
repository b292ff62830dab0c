-- ARGV: userKey, name, channel, upTo, origin session. Moves the marker forward only.
-- O(log n) whatever the distance moved: one stream lookup and a binary search of `own`.
local userKey, name, ch, upTo, origin = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
if not is_member(ch, name) then return {'not_member'} end
local lastId = newest(ch)
if lastId == '' or id_after(upTo, lastId) then return {'bad_request', 'upTo is after the newest message'} end
local current = marker(ch, userKey)
if current ~= '' and not id_after(upTo, current) then return {'ok', current, 0} end
local seqAt = seq_at(ch, upTo)
set_marker(ch, userKey, upTo, seqAt, own_upto(ch, userKey, seqAt))
redis.call('HDEL', ukey(userKey, 'readown'), ch) -- schema 1's, now in the marker
bus('e', 'read', 'to', userKey, 'o', origin, 'c', ch, 'up', upTo)
return {'ok', upTo, 1}
