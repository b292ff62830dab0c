-- ARGV: userKey, name, channel, text, nonce ('' for none; else its JSON text)
-- Returns {'ok', id}, or for a nonce seen from this user in this channel within 24 h
-- {'dup', the original entry with its current state}.
local userKey, name, ch, text, nonce = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
if not is_member(ch, name) then return {'not_member'} end
local nonceKey = nil
if nonce ~= '' then
  nonceKey = ckey(ch, 'nonce:' .. userKey .. ':' .. nonce)
  local prior = redis.call('GET', nonceKey)
  if prior then
    local e = current_message(ch, prior)
    if e then return {'dup', e} end
  end
end
local seq = redis.call('INCR', ckey(ch, 'seq'))
own_append(ch, userKey, seq)
local id
-- The text goes beside the log (docs/storage.md, schema 3), never into the entry.
if nonceKey then
  id = log_append(ch, seq, 'k', 'm', 'u', name, 'n', nonce, 's', seq)
  redis.call('SET', nonceKey, id, 'EX', 86400)
  bus('e', 'msg', 'c', ch, 'i', id, 'k', 'm', 'u', name, 't', text, 'n', nonce)
else
  id = log_append(ch, seq, 'k', 'm', 'u', name, 's', seq)
  bus('e', 'msg', 'c', ch, 'i', id, 'k', 'm', 'u', name, 't', text)
end
redis.call('HSET', ckey(ch, 'text'), id, text)
return {'ok', id}
