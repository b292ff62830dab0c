-- Every public channel with its member count: name, count, name, count, ...
local out = {}
for _, ch in ipairs(redis.call('SMEMBERS', 'rill:channels')) do
  out[#out + 1] = ch
  out[#out + 1] = redis.call('SCARD', ckey(ch, 'members'))
end
return out
