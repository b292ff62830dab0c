-- ARGV: instance, userKey. The user has a session on this instance.
if redis.call('SADD', 'rill:presence:instance:' .. ARGV[1], ARGV[2]) == 1 then
  if redis.call('HINCRBY', 'rill:presence:online', ARGV[2], 1) == 1 then presence_event(ARGV[2], '1') end
end
return 'OK'
