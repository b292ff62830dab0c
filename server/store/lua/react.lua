-- ARGV: userKey, name, channel, message ID, emoji, on ('1' adds, '0' removes), most distinct
-- emoji per message. Adding a reaction the user has, or removing one they have not, changes
-- nothing and tells nobody. O(reactions on this one message).
local userKey, name, ch, id, emoji, on, maxEmoji = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6] == '1', tonumber(ARGV[7])
if not is_member(ch, name) then return {'not_member'} end
local entry = redis.call('XRANGE', ckey(ch, 'log'), id, id)[1]
if not entry then return {'no_such_message'} end
if field(entry[2], 'k') ~= 'm' then return {'forbidden', 'join and part entries take no reactions'} end
if state_get(ch, id).d ~= 0 then return {'forbidden', 'the message is deleted'} end
local key = ckey(ch, 'reactions')
local raw = redis.call('HGET', key, id)
local list = {}
if raw then list = cjson.decode(raw) end
local at = nil
for i, r in ipairs(list) do
  if r[1] == emoji then at = i end
end
local function position(users)
  for i, u in ipairs(users) do
    if u == name then return i end
  end
  return nil
end
if on then
  if at then
    if position(list[at][2]) then return {'ok'} end
    table.insert(list[at][2], name)
  else
    if #list >= maxEmoji then return {'bad_request', 'a message carries at most ' .. maxEmoji .. ' distinct emoji'} end
    list[#list + 1] = {emoji, {name}}
  end
else
  local mine = at and position(list[at][2])
  if not mine then return {'ok'} end
  table.remove(list[at][2], mine)
  if #list[at][2] == 0 then table.remove(list, at) end
end
if #list == 0 then redis.call('HDEL', key, id) else redis.call('HSET', key, id, cjson.encode(list)) end
announce_update(ch, current_message(ch, id))
return {'ok'}
