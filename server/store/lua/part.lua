-- ARGV: userKey, name, channel
local userKey, name, ch = ARGV[1], ARGV[2], ARGV[3]
if redis.call('ZREM', ckey(ch, 'members'), name) == 0 then return {'not_member'} end
redis.call('SREM', ukey(userKey, 'channels'), ch)
local seq = seq_now(ch)
local id = log_append(ch, seq, 'k', 'p', 'u', name, 's', seq)
bus('e', 'msg', 'c', ch, 'i', id, 'k', 'p', 'u', name)
return {'ok', id}
