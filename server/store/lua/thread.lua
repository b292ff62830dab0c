-- ARGV: name, channel, root ID, after ('' for the first page), limit. Returns {'ok', root,
-- more, replies oldest first}, each with its current state. One more than asked is read to know
-- `more`. A reply or a join/part entry is no thread root (no_such_message).
local name, ch, rootId, after, limit = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
if not is_member(ch, name) then return {'not_member'} end
local root = current_message(ch, rootId)
if not root or field(root[2], 'k') ~= 'm' or field(root[2], 'r') then return {'no_such_message'} end
local from = '-'
if after ~= '' then from = '(' .. after end
local entries = redis.call('XRANGE', ckey(ch, 'thread:' .. rootId), from, '+', 'COUNT', limit + 1)
local more = 0
if #entries > limit then
  more = 1
  entries[#entries] = nil
end
return {'ok', root, more, with_state(ch, entries)}
