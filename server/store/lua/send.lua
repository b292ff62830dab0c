-- ARGV: userKey, name, channel, text, nonce ('' for none; else its JSON text)
-- A nonce seen from this user in this channel within 24 h returns the original message.
local userKey, name, ch, text, nonce = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
if not is_member(ch, name) then return {'not_member'} end
local nonceKey = nil
if nonce ~= '' then
  nonceKey = ckey(ch, 'nonce:' .. userKey .. ':' .. nonce)
  local prior = redis.call('GET', nonceKey)
  if prior then
    local e = redis.call('XRANGE', ckey(ch, 'log'), prior, prior)[1]
    if e then return {'dup', prior, field(e[2], 't') or ''} end
  end
end
local seq = redis.call('INCR', ckey(ch, 'seq'))
own_append(ch, userKey, seq)
local id
if nonceKey then
  id = log_append(ch, seq, 'k', 'm', 'u', name, 't', text, 'n', nonce, 's', seq)
  redis.call('SET', nonceKey, id, 'EX', 86400)
  bus('e', 'msg', 'c', ch, 'i', id, 'k', 'm', 'u', name, 't', text, 'n', nonce)
else
  id = log_append(ch, seq, 'k', 'm', 'u', name, 't', text, 's', seq)
  bus('e', 'msg', 'c', ch, 'i', id, 'k', 'm', 'u', name, 't', text)
end
return {'ok', id}
