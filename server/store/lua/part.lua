-- ARGV: userKey, name, channel
local userKey, name, ch = ARGV[1], ARGV[2], ARGV[3]
if redis.call('SREM', ckey(ch, 'members'), name) == 0 then return {'not_member'} end
redis.call('SREM', ukey(userKey, 'channels'), ch)
local seq = redis.call('GET', ckey(ch, 'seq')) or '0'
local id = redis.call('XADD', ckey(ch, 'log'), '*', 'k', 'p', 'u', name, 's', seq)
bus('e', 'msg', 'c', ch, 'i', id, 'k', 'p', 'u', name)
return {'ok', id}
