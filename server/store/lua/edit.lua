-- ARGV: userKey, name, channel, message ID, text, the number of its search words and the words,
-- then the user keys the text may mention. Returns {'ok', entry with current state}. Mentions
-- and search words gained and lost move with the text.
-- The same text changes nothing and sends no update.
local userKey, name, ch, id, text = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local words, mentionsAt = counted_args(6)
local entry, st, err = own_message(ch, id, userKey, name)
if err then return err end
if st.d ~= 0 then return {'forbidden', 'the message is deleted'} end
local texts = ckey(ch, 'text')
if redis.call('HGET', texts, id) ~= text then
  redis.call('HSET', texts, id, text)
  st.e = now_ms()
  state_set(ch, id, st)
  local seq = tonumber(field(entry[2], 's')) or 0
  set_mentions(ch, id, seq, userKey, {select(mentionsAt, unpack(ARGV))})
  set_words(ch, id, seq, words)
  note_erased()
  announce_update(ch, current_message(ch, id))
end
return {'ok', current_message(ch, id)}
