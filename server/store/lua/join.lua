-- ARGV: userKey, name, channel, origin session, most channels per user, new channels per user
-- per hour (0: no limit). Creates the channel if new.
local userKey, name, ch, origin = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local maxChannels, createsPerHour = tonumber(ARGV[5]), tonumber(ARGV[6])
if not is_member(ch, name) then
  if at_channel_cap(userKey, maxChannels) then
    return {'forbidden', 'you are in ' .. maxChannels .. ' channels, the most one user may be in; leave one first'}
  end
  if not redis.call('ZSCORE', 'rill:channels', ch) then
    if createsPerHour > 0 then
      -- A fixed window of an hour from the first creation in it.
      local key = ukey(userKey, 'created')
      local n = redis.call('INCR', key)
      if n == 1 then redis.call('EXPIRE', key, 3600) end
      if n > createsPerHour then
        local ttl = redis.call('TTL', key)
        if ttl < 0 then
          redis.call('EXPIRE', key, 3600)
          ttl = 3600
        end
        return {'rate_limited', 'at most ' .. createsPerHour .. ' new channels per hour', ttl}
      end
    end
    redis.call('ZADD', 'rill:channels', 0, ch)
  end
  add_member(ch, userKey, name, origin, true)
end
local out = {'ok'}
append_channel_info(out, 1, ch, userKey)
return out
