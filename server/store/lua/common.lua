-- Shared by every Rill script (prepended to each). Key names must match server/store/Keys.h
-- and docs/storage.md.
--
-- Scripts build channel and user key names themselves instead of receiving them all in KEYS:
-- a log-in touches every channel of the user, unknown until the script reads them. That is
-- fine on one Redis (or a Sentinel-managed primary); Redis Cluster would need the user-side
-- and channel-side writes split into per-slot scripts.

local BUS_MAXLEN = 100000

local function ckey(ch, part) return 'rill:{c:' .. ch .. '}:' .. part end
local function ukey(u, part)
  if part then return 'rill:{u:' .. u .. '}:' .. part end
  return 'rill:{u:' .. u .. '}'
end

local function field(fields, name)
  for i = 1, #fields, 2 do
    if fields[i] == name then return fields[i + 1] end
  end
  return nil
end

-- Every durable event goes through the bus, in the order the scripts ran. `q` numbers the
-- entries without gaps, so an instance that fell behind the trimming sees what it missed.
local function bus(...)
  local q = redis.call('INCR', 'rill:busseq')
  return redis.call('XADD', 'rill:bus', 'MAXLEN', '~', BUS_MAXLEN, '*', 'q', q, ...)
end

local function newest_entry(ch)
  return redis.call('XREVRANGE', ckey(ch, 'log'), '+', '-', 'COUNT', 1)[1]
end

local function is_member(ch, name)
  return redis.call('SISMEMBER', ckey(ch, 'members'), name) == 1
end

-- Messages by others after lastRead, without scanning: every entry carries `s`, the channel's
-- message count at that point; `authored` counts each user's own messages, and the read marker
-- remembers that count as it was at the marker (`readown`).
local function unread(ch, userKey, lastRead, newest)
  if not newest then return 0 end
  local seqAt, ownAt = 0, 0
  if lastRead ~= '' then
    local at = redis.call('XREVRANGE', ckey(ch, 'log'), lastRead, '-', 'COUNT', 1)[1]
    if at then seqAt = tonumber(field(at[2], 's')) or 0 end
    ownAt = tonumber(redis.call('HGET', ukey(userKey, 'readown'), ch) or '0')
  end
  local seqNow = tonumber(field(newest[2], 's')) or 0
  local ownNow = tonumber(redis.call('HGET', ckey(ch, 'authored'), userKey) or '0')
  return math.max(0, (seqNow - seqAt) - (ownNow - ownAt))
end

-- ChannelInfo as seen by one user, flat: name, kind, peer, members, lastId, lastRead, unread.
local function channel_info(ch, userKey, me)
  local newest = newest_entry(ch)
  local lastRead = redis.call('HGET', ukey(userKey, 'read'), ch) or ''
  local kind, peer = 'channel', ''
  if string.sub(ch, 1, 3) == 'dm:' then
    kind = 'dm'
    local a, b = string.match(ch, '^dm:([^:]+):([^:]+)$')
    local other = a
    if a == userKey then other = b end
    peer = redis.call('HGET', ukey(other), 'name') or other
  end
  local lastId = ''
  if newest then lastId = newest[1] end
  return {ch, kind, peer, redis.call('SCARD', ckey(ch, 'members')), lastId, lastRead,
          unread(ch, userKey, lastRead, newest)}
end

-- Tells the user's sessions (all but `origin`, which has its reply) about a channel they are in.
local function announce_channel(ch, userKey, me, origin)
  local info = channel_info(ch, userKey, me)
  bus('e', 'chan', 'to', userKey, 'o', origin, 'c', info[1], 'kind', info[2], 'peer', info[3],
      'members', info[4], 'last', info[5], 'read', info[6], 'unread', info[7])
end

-- Adds a member and logs the join; false when already a member (nothing logged).
local function add_member(ch, userKey, name, origin, announce)
  if redis.call('SADD', ckey(ch, 'members'), name) == 0 then return false end
  redis.call('SADD', ukey(userKey, 'channels'), ch)
  local seq = redis.call('GET', ckey(ch, 'seq')) or '0'
  local id = redis.call('XADD', ckey(ch, 'log'), '*', 'k', 'j', 'u', name, 's', seq)
  bus('e', 'msg', 'c', ch, 'i', id, 'k', 'j', 'u', name)
  if announce then announce_channel(ch, userKey, name, origin) end
  return true
end

-- What a log-in returns: the user, the bus position this snapshot reflects, and every channel
-- as 7 values (see channel_info).
local function snapshot(userKey)
  local name = redis.call('HGET', ukey(userKey), 'name')
  local tail = redis.call('XREVRANGE', 'rill:bus', '+', '-', 'COUNT', 1)[1]
  local busId = '0-0'
  if tail then busId = tail[1] end
  local out = {'ok', userKey, name, busId}
  for _, ch in ipairs(redis.call('SMEMBERS', ukey(userKey, 'channels'))) do
    for _, v in ipairs(channel_info(ch, userKey, name)) do out[#out + 1] = v end
  end
  return out
end

local function presence_event(userKey, online)
  local name = redis.call('HGET', ukey(userKey), 'name') or userKey
  local chans = redis.call('SMEMBERS', ukey(userKey, 'channels'))
  bus('e', 'pres', 'u', name, 'k', userKey, 'on', online, 'cs', table.concat(chans, ','))
end

-- Takes a dead (or stopping) instance's users off line. ZREM makes it happen once.
local function reap(inst)
  if redis.call('ZREM', 'rill:presence:instances', inst) == 0 then return 0 end
  local set = 'rill:presence:instance:' .. inst
  local users = redis.call('SMEMBERS', set)
  for _, u in ipairs(users) do
    if redis.call('HINCRBY', 'rill:presence:online', u, -1) <= 0 then
      redis.call('HDEL', 'rill:presence:online', u)
      presence_event(u, '0')
    end
  end
  redis.call('DEL', set)
  return #users
end
