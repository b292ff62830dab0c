-- ARGV: instance, userKey. The user's last session on this instance is gone.
if redis.call('SREM', 'rill:presence:instance:' .. ARGV[1], ARGV[2]) == 1 then
  if redis.call('HINCRBY', 'rill:presence:online', ARGV[2], -1) <= 0 then
    redis.call('HDEL', 'rill:presence:online', ARGV[2])
    presence_event(ARGV[2], '0')
  end
end
return 'OK'
