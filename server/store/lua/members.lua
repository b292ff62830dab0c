-- ARGV: name, channel, after (a member's name, '' for the first page), limit.
-- Members in name order (bytewise), a page at a time: {'ok', next, name, online(0|1), ...};
-- `next` is the last name of this page when more follow, '' at the end.
local name, ch, after, limit = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
if not is_member(ch, name) then return {'not_member'} end
local from = '-'
if after ~= '' then from = '(' .. after end
local names = redis.call('ZRANGE', ckey(ch, 'members'), from, '+', 'BYLEX', 'LIMIT', 0, limit + 1)
local nextPage = ''
if #names > limit then
  names[#names] = nil
  nextPage = names[#names]
end
local out = {'ok', nextPage}
for i = 1, #names do
  out[2 * i + 1] = names[i]
  if redis.call('HEXISTS', 'rill:presence:online', string.lower(names[i])) == 1 then
    out[2 * i + 2] = 1
  else
    out[2 * i + 2] = 0
  end
end
return out
