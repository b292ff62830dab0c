-- ARGV: name, channel, topic (trimmed, at most 250 code points). An empty topic deletes the
-- key. Setting the topic it already has changes nothing and tells nobody.
local name, ch, topic = ARGV[1], ARGV[2], ARGV[3]
if not is_member(ch, name) then return {'not_member'} end
if string.sub(ch, 1, 3) == 'dm:' then return {'forbidden', 'direct-message channels have no topic'} end
local key = ckey(ch, 'topic')
if (redis.call('GET', key) or '') == topic then return {'ok'} end
if topic == '' then redis.call('DEL', key) else redis.call('SET', key, topic) end
bus('e', 'topic', 'c', ch, 'u', name, 't', topic)
return {'ok'}
