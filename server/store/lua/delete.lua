-- ARGV: userKey, name, channel, message ID. The text and reactions are deleted (not flagged);
-- the entry keeps its place, its count in unread and its replies. Deleting twice changes nothing.
local userKey, name, ch, id = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local entry, st, err = own_message(ch, id, userKey, name)
if err then return err end
if st.d ~= 0 then return {'ok'} end
redis.call('HDEL', ckey(ch, 'text'), id)
redis.call('HDEL', ckey(ch, 'reactions'), id)
local seq = tonumber(field(entry[2], 's')) or 0
set_mentions(ch, id, seq, userKey, {}) -- it mentions no one now
set_words(ch, id, seq, {}) -- nor can it be found
st.d, st.e = 1, 0
state_set(ch, id, st)
note_erased()
announce_update(ch, current_message(ch, id))
return {'ok'}
