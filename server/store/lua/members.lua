-- ARGV: name, channel. Returns {'ok', name, online(0|1), ...}.
if not is_member(ARGV[2], ARGV[1]) then return {'not_member'} end
local out = {'ok'}
for _, m in ipairs(redis.call('SMEMBERS', ckey(ARGV[2], 'members'))) do
  out[#out + 1] = m
  local n = tonumber(redis.call('HGET', 'rill:presence:online', string.lower(m)) or '0')
  if n > 0 then out[#out + 1] = 1 else out[#out + 1] = 0 end
end
return out
