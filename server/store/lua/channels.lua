-- ARGV: after (a channel name, '' for the first page), limit. Public channels in name order,
-- a page at a time: {next, name, members, name, members, ...}; `next` is the last name of this
-- page when more follow, '' at the end.
local after, limit = ARGV[1], tonumber(ARGV[2])
local from = '-'
if after ~= '' then from = '(' .. after end
local names = redis.call('ZRANGE', 'rill:channels', from, '+', 'BYLEX', 'LIMIT', 0, limit + 1)
local nextPage = ''
if #names > limit then
  names[#names] = nil
  nextPage = names[#names]
end
local out = {nextPage}
for i = 1, #names do
  out[2 * i] = names[i]
  out[2 * i + 1] = redis.call('ZCARD', ckey(names[i], 'members'))
end
return out
