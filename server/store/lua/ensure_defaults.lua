-- ARGV: default channel. The default channel exists on an empty store.
redis.call('SADD', 'rill:channels', ARGV[1])
redis.call('HSETNX', 'rill:meta', 'schema', '1')
return 'OK'
