-- ARGV: after (a channel name, '' for the first page), limit. Public channels in name order,
-- a page at a time: {next, name, members, topic, name, members, topic, ...}; `next` is the last
-- name of this page when more follow, '' at the end.
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
  out[3 * i - 1] = names[i]
  out[3 * i] = redis.call('ZCARD', ckey(names[i], 'members'))
  out[3 * i + 1] = redis.call('GET', ckey(names[i], 'topic')) or ''
end
return out
