-- ARGV: name, channel, mode ('newest' | 'before' | 'after'), id, limit
-- Returns {'ok', more, entries oldest first, each with its current state (with_state)}. One
-- more than asked is read to know `more`.
local name, ch, mode, id, limit = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
if not is_member(ch, name) then return {'not_member'} end
local log = ckey(ch, 'log')
local entries
if mode == 'after' then
  entries = redis.call('XRANGE', log, '(' .. id, '+', 'COUNT', limit + 1)
else
  local top = '+'
  if mode == 'before' then top = '(' .. id end
  entries = redis.call('XREVRANGE', log, top, '-', 'COUNT', limit + 1)
end
local more = 0
if #entries > limit then
  more = 1
  entries[#entries] = nil
end
if mode ~= 'after' then
  local n = #entries
  for i = 1, math.floor(n / 2) do entries[i], entries[n - i + 1] = entries[n - i + 1], entries[i] end
end
return {'ok', more, with_state(ch, entries)}
