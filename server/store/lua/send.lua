-- ARGV: userKey, name, channel, text, nonce ('' for none; else its JSON text), replyTo ('' for
-- none: the thread root this message answers), the number of the text's search words and the
-- words ('off' instead: not indexed, for rill-store-bench only), then the user keys the text
-- may mention. Returns {'ok', id}, or for a nonce seen from this
-- user in this channel within 24 h {'dup', the original entry with its current state}.
local userKey, name, ch, text, nonce, replyTo = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local words, mentionsAt = counted_args(7)
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
-- Threads are one level deep: the parent is a message (deleted or not) that is no reply.
if replyTo ~= '' then
  local parent = redis.call('XRANGE', ckey(ch, 'log'), replyTo, replyTo)[1]
  if not parent or field(parent[2], 'k') ~= 'm' then return {'no_such_message', 'no such message to reply to'} end
  if field(parent[2], 'r') then return {'no_such_message', 'that message is a reply; threads are one level deep'} end
end
local seq = redis.call('INCR', ckey(ch, 'seq'))
own_append(ch, userKey, seq)
-- The text goes beside the log (docs/storage.md, schema 3), never into the entry.
local fields = {'k', 'm', 'u', name}
if nonceKey then fields[#fields + 1] = 'n'; fields[#fields + 1] = nonce end
if replyTo ~= '' then fields[#fields + 1] = 'r'; fields[#fields + 1] = replyTo end
local id = log_append(ch, seq, 's', seq, unpack(fields))
redis.call('HSET', ckey(ch, 'text'), id, text)
set_mentions(ch, id, seq, userKey, {select(mentionsAt, unpack(ARGV))})
-- `ids` always: a search binary-searches it, so it must have no holes (docs/storage.md).
ids_put(ch, seq, id)
if ARGV[7] ~= 'off' then set_words(ch, id, seq, words) end
if nonceKey then redis.call('SET', nonceKey, id, 'EX', 86400) end
bus('e', 'msg', 'c', ch, 'i', id, 't', text, unpack(fields))
if replyTo ~= '' then
  -- The thread's own stream reuses the reply's ID, so `thread` pages it by ID.
  redis.call('XADD', ckey(ch, 'thread:' .. replyTo), id, 's', seq, unpack(fields))
  local st = state_get(ch, replyTo)
  st.n, st.l = st.n + 1, parse_id(id)
  state_set(ch, replyTo, st)
  announce_update(ch, current_message(ch, replyTo)) -- after the reply's own message event
end
return {'ok', id}
