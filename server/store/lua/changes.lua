-- ARGV: name, channel, after (a change cursor), limit. Returns {'ok', '', cursor, more, the
-- changed messages with their current state, each once, in the order of their first change
-- here}, or {'ok', 'reload', newest cursor} when changes after `after` were trimmed away.
-- O(limit): one stream read and one log lookup per changed message.
local name, ch, after, limit = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
if not is_member(ch, name) then return {'not_member'} end
local key = ckey(ch, 'changes')
local newestChange = redis.call('XREVRANGE', key, '+', '-', 'COUNT', 1)[1]
local cursorNow = newestChange and newestChange[1] or '0-0'
if newestChange then
  -- Entries were trimmed (added > kept) and the cursor is older than the oldest kept one.
  local info = redis.call('XINFO', 'STREAM', key)
  local added, length = tonumber(field(info, 'entries-added') or '0'), tonumber(field(info, 'length') or '0')
  local first = field(info, 'first-entry')
  if added > length and first and id_after(first[1], after) then return {'ok', 'reload', cursorNow} end
end
local page = redis.call('XRANGE', key, '(' .. after, '+', 'COUNT', limit + 1)
local more = 0
if #page > limit then
  more = 1
  page[#page] = nil
end
local cursor = after
if #page > 0 then cursor = page[#page][1] end
local seen, entries = {}, {}
for _, change in ipairs(page) do
  local id = field(change[2], 'i')
  if id and not seen[id] then
    seen[id] = true
    local e = redis.call('XRANGE', ckey(ch, 'log'), id, id)[1]
    if e then entries[#entries + 1] = e end
  end
end
return {'ok', '', cursor, more, with_state(ch, entries)}
