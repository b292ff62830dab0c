-- ARGV: name, channel, payload. Typing is not stored: only published, to members' instances.
if not is_member(ARGV[2], ARGV[1]) then return {'not_member'} end
redis.call('PUBLISH', 'rill:typing', ARGV[3])
return {'ok'}
