-- Shared by every Rill script (prepended to each). Key names must match server/store/Keys.h
-- and docs/storage.md.
--
-- Scripts build channel and user key names themselves instead of receiving them all in KEYS:
-- a log-in touches every channel of the user, unknown until the script reads them. That is
-- fine on one Redis (or a Sentinel-managed primary); Redis Cluster would need the user-side
-- and channel-side writes split into per-slot scripts.
--
-- Every script does a bounded amount of work: Redis is shared by every instance, and one long
-- script stalls all of them. Nothing here walks a log, a channel's members or the list of
-- channels; what would need a walk is kept up to date as it changes (see own_upto), and what
-- is inherently large (an instance's users, when it dies) is worked through in steps.

local BUS_MAXLEN = 100000
local BUS_MAX_AGE_MS = 3600 * 1000
-- A channel's changes stream (for `changes` after a reconnect) keeps this many, this long.
local CHANGES_MAXLEN = 10000
local CHANGES_MAX_AGE_MS = 7 * 24 * 3600 * 1000

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

local function parse_id(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return tonumber(ms), tonumber(seq)
end

local function id_after(a, b) -- a > b
  local am, as = parse_id(a)
  local bm, bs = parse_id(b)
  return am > bm or (am == bm and as > bs)
end

-- Every durable event goes through the bus, in the order the scripts ran. `q` numbers the
-- entries without gaps, so an instance that fell behind the trimming sees what it missed.
-- The entry is also published on rill:bus:live, as netstrings (length:bytes) of its ID, then
-- its fields and values: instances get it pushed instead of asking for each batch, and read the
-- stream only to catch up (docs/architecture.md, "the bus").
local function bus(...)
  -- Strings first, so the stream and the push carry the same bytes.
  local fields = {'q', tostring(redis.call('INCR', 'rill:busseq')), ...}
  for i = 3, #fields do
    fields[i] = tostring(fields[i])
  end
  local id = redis.call('XADD', 'rill:bus', 'MAXLEN', '~', BUS_MAXLEN, '*', unpack(fields))
  local parts = {#id .. ':' .. id}
  for i = 1, #fields do
    parts[i + 1] = #fields[i] .. ':' .. fields[i]
  end
  redis.call('PUBLISH', 'rill:bus:live', table.concat(parts))
  return id
end

local function is_member(ch, name)
  return redis.call('ZSCORE', ckey(ch, 'members'), name) ~= false
end

-- The number of kind=message entries in the channel's log so far.
local function seq_now(ch)
  return tonumber(redis.call('GET', ckey(ch, 'seq')) or '0')
end

-- Appends to a channel's log and remembers its newest entry and message count together in
-- `last` ("<id> <seq>"), so a ChannelInfo costs one read for both, never a stream read.
local function log_append(ch, seq, ...)
  local id = redis.call('XADD', ckey(ch, 'log'), '*', ...)
  redis.call('SET', ckey(ch, 'last'), id .. ' ' .. seq)
  return id
end

-- The newest entry's ID ('' for an empty log) and the channel's message count. A log that
-- never had `last` (an empty one) is read directly.
-- `last` is the value of ckey(ch, 'last') when the caller has it already.
local function newest(ch, last)
  if last == nil then last = redis.call('GET', ckey(ch, 'last')) end
  if last then
    local id, seq = string.match(last, '^(%S+) (%d+)$')
    if id then return id, tonumber(seq) end
  end
  local entry = redis.call('XREVRANGE', ckey(ch, 'log'), '+', '-', 'COUNT', 1)[1]
  if entry then return entry[1], seq_now(ch) end
  return '', seq_now(ch)
end

-- `s` of the newest entry at or before `id`: how many messages the log held there.
local function seq_at(ch, id)
  local at = redis.call('XREVRANGE', ckey(ch, 'log'), id, '-', 'COUNT', 1)[1]
  if not at then return 0 end
  return tonumber(field(at[2], 's')) or 0
end

-- Each user's own messages in a channel, as their sequence numbers (`s`), 4 bytes each,
-- big-endian, in order: `own:<user>`. Its length is how many they wrote, and a binary search
-- finds how many are at or before any point, so unread counts never scan the log.
local OWN_WIDTH = 4
local function own_key(ch, userKey) return ckey(ch, 'own:' .. userKey) end

local function own_append(ch, userKey, seq)
  redis.call('APPEND', own_key(ch, userKey), struct.pack('>I4', seq))
end

local function own_count(ch, userKey)
  return math.floor(redis.call('STRLEN', own_key(ch, userKey)) / OWN_WIDTH)
end

-- How many of the user's messages in `ch` have a sequence number <= seq: O(log n) GETRANGEs.
local function own_upto(ch, userKey, seq)
  local key = own_key(ch, userKey)
  local n = own_count(ch, userKey)
  local function at(i)
    return (struct.unpack('>I4', redis.call('GETRANGE', key, i * OWN_WIDTH, i * OWN_WIDTH + OWN_WIDTH - 1)))
  end
  if n == 0 then return 0 end
  if at(n - 1) <= seq then return n end -- the usual case: reading up to after one's last message
  local lo, hi = 0, n - 1 -- the answer is in [lo, hi], and at(hi) > seq
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if at(mid) <= seq then lo = mid + 1 else hi = mid end
  end
  return lo
end

-- A read marker: `read` holds "<id> <seq> <own>" per channel: the marker, the channel's
-- message count there (the `s` of the newest entry at or before it) and how many of the user's
-- own messages were at or before it, found once when the marker moved. (A marker written by a
-- schema-1 server holds the ID alone; its counts are looked up, see storage.md.)
-- `value` is the user's `read` field for `ch` when the caller has it already (false: none).
local function marker(ch, userKey, value)
  if value == nil then value = redis.call('HGET', ukey(userKey, 'read'), ch) end
  if not value then return '', 0, 0 end
  local id, seqAt, ownAt = string.match(value, '^(%S+) (%d+) (%d+)$')
  if id then return id, tonumber(seqAt), tonumber(ownAt) end
  return value, seq_at(ch, value), tonumber(redis.call('HGET', ukey(userKey, 'readown'), ch) or '0')
end

local function set_marker(ch, userKey, id, seqAt, ownAt)
  redis.call('HSET', ukey(userKey, 'read'), ch, id .. ' ' .. seqAt .. ' ' .. ownAt)
end

-- ChannelInfo as seen by one user, flat, appended to `out` after its first n values: name,
-- kind, peer, members, lastId, lastRead, unread, topic ('' for a DM, which has none), mentions,
-- lastChange (the newest entry of the channel's changes stream, '0-0' for none).
-- Returns the new n. Six constant-time reads (a DM six) and one O(log n) count; a log-in costs
-- that per channel, so this stays lean (no temporary tables).
-- unread = messages by others after the marker = (count now - count at the marker)
--          - (own messages now - own messages at the marker).
--
-- A log-in builds this for up to the channel cap (100) at once, so every read counts: the
-- three small strings are one MGET, and `markerValue` and `strings` (last, topic and
-- lastchange from `at` on) are the caller's when it read them for every channel at once.
local function channel_strings(ch)
  return ckey(ch, 'last'), ckey(ch, 'topic'), ckey(ch, 'lastchange')
end

local function append_channel_info(out, n, ch, userKey, markerValue, strings, at)
  local lastRead, seqAt, ownAt = marker(ch, userKey, markerValue)
  if strings == nil then strings, at = redis.call('MGET', channel_strings(ch)), 1 end
  local lastId, seqNow = newest(ch, strings[at])
  local ownNow = own_count(ch, userKey)
  local kind, peer, topic = 'channel', '', ''
  if string.sub(ch, 1, 3) ~= 'dm:' then
    topic = strings[at + 1] or ''
  else
    kind = 'dm'
    local a, b = string.match(ch, '^dm:([^:]+):([^:]+)$')
    local other = a
    if a == userKey then other = b end
    peer = redis.call('HGET', ukey(other), 'name') or other
  end
  out[n + 1] = ch
  out[n + 2] = kind
  out[n + 3] = peer
  out[n + 4] = redis.call('ZCARD', ckey(ch, 'members'))
  out[n + 5] = lastId
  out[n + 6] = lastRead
  out[n + 7] = math.max(0, (seqNow - seqAt) - (ownNow - ownAt))
  out[n + 8] = topic
  -- Messages by others after the marker that mention the user (see index_mentions).
  out[n + 9] = redis.call('ZCOUNT', ckey(ch, 'ment:' .. userKey), '(' .. seqAt, '+inf')
  local lastChange = strings[at + 2]
  if not lastChange then
    -- Channels of a store from before `lastchange` existed: read once, then kept.
    local change = redis.call('XREVRANGE', ckey(ch, 'changes'), '+', '-', 'COUNT', 1)[1]
    lastChange = change and change[1] or '0-0'
    redis.call('SET', ckey(ch, 'lastchange'), lastChange)
  end
  out[n + 10] = lastChange
  return n + 10
end

local function channel_info(ch, userKey)
  local info = {}
  append_channel_info(info, 0, ch, userKey)
  return info
end

-- Tells the user's sessions (all but `origin`, which has its reply) about a channel they are in.
local function announce_channel(ch, userKey, origin)
  local info = channel_info(ch, userKey)
  bus('e', 'chan', 'to', userKey, 'o', origin, 'c', info[1], 'kind', info[2], 'peer', info[3],
      'members', info[4], 'last', info[5], 'read', info[6], 'unread', info[7], 'topic', info[8],
      'mentions', info[9], 'change', info[10])
end

-- A user is in at most `cap` channels, DMs included: a log-in costs a few lookups per channel.
local function at_channel_cap(userKey, cap)
  return redis.call('SCARD', ukey(userKey, 'channels')) >= cap
end

-- Adds a member and logs the join; false when already a member (nothing logged).
local function add_member(ch, userKey, name, origin, announce)
  if redis.call('ZADD', ckey(ch, 'members'), 'NX', 0, name) == 0 then return false end
  redis.call('SADD', ukey(userKey, 'channels'), ch)
  local seq = seq_now(ch)
  local id = log_append(ch, seq, 'k', 'j', 'u', name, 's', seq)
  bus('e', 'msg', 'c', ch, 'i', id, 'k', 'j', 'u', name)
  if announce then announce_channel(ch, userKey, origin) end
  return true
end

-- What a log-in returns: the user, the bus position this snapshot reflects, and every channel
-- as 10 values (see append_channel_info). Bounded by the per-user channel cap.
local function snapshot(userKey)
  local name = redis.call('HGET', ukey(userKey), 'name')
  local tail = redis.call('XREVRANGE', 'rill:bus', '+', '-', 'COUNT', 1)[1]
  local busId = '0-0'
  if tail then busId = tail[1] end
  local out = {'ok', userKey, name, busId}
  local n = 4
  local channels = redis.call('SMEMBERS', ukey(userKey, 'channels'))
  if #channels == 0 then return out end
  -- Every marker in one read, and every channel's three strings in another (the channel cap
  -- keeps the argument lists small).
  local markers = redis.call('HMGET', ukey(userKey, 'read'), unpack(channels))
  local keys = {}
  for i = 1, #channels do
    keys[3 * i - 2], keys[3 * i - 1], keys[3 * i] = channel_strings(channels[i])
  end
  local strings = redis.call('MGET', unpack(keys))
  for i = 1, #channels do
    n = append_channel_info(out, n, channels[i], userKey, markers[i], strings, 3 * i - 2)
  end
  return out
end

-- Who learns of it is for each instance to work out from its own sessions' channels: the event
-- names only the user, so its cost does not grow with their channels.
local function presence_event(userKey, online)
  local name = redis.call('HGET', ukey(userKey), 'name') or userKey
  bus('e', 'pres', 'u', name, 'k', userKey, 'on', online)
end

-- Milliseconds on Redis's clock (the same for every instance).
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- Redis's clock in microseconds, as decimal text (a double would print in exponent form).
local function now_us_text()
  local t = redis.call('TIME')
  return t[1] .. string.format('%06d', tonumber(t[2]))
end

-- A stored token is "<user key> <issued, µs>", so that `logout all` revokes every token of a
-- user in one write (the user's `tokensFrom`) with no index of their tokens to walk. A bare
-- user key is a token issued before tokens carried their time: issued at 0.
local function issue_token(tokenHash, userKey, ttlSeconds)
  redis.call('SET', 'rill:token:' .. tokenHash, userKey .. ' ' .. now_us_text(), 'EX', ttlSeconds)
end

-- The user a token belongs to, or nil when it is unknown, expired or revoked (and then gone).
local function token_user(tokenHash)
  local key = 'rill:token:' .. tokenHash
  local value = redis.call('GET', key)
  if not value then return nil end
  local userKey, issued = string.match(value, '^(%S+) (%d+)$')
  if not userKey then userKey, issued = value, '0' end
  local from = redis.call('HGET', ukey(userKey), 'tokensFrom')
  if from and tonumber(issued) <= tonumber(from) then
    redis.call('DEL', key)
    return nil
  end
  return userKey
end

-- Revision 2 (docs/storage.md, schema 3): the log holds no text. Texts, what changed since a
-- message was sent, and reactions live beside it in hashes keyed by message ID, so that a delete
-- really removes the text and a page's current state costs one HMGET per hash.

-- A message's state: edited (ms), deleted (1), replies, lastReplyTs (ms); 0 where none.
local function state_get(ch, id)
  local v = redis.call('HGET', ckey(ch, 'state'), id)
  local st = {e = 0, d = 0, n = 0, l = 0}
  if v then
    local e, d, n, l = string.match(v, '^(%d+) (%d+) (%d+) (%d+)$')
    if e then st = {e = tonumber(e), d = tonumber(d), n = tonumber(n), l = tonumber(l)} end
  end
  return st
end

local function state_set(ch, id, st)
  redis.call('HSET', ckey(ch, 'state'), id, string.format('%d %d %d %d', st.e, st.d, st.n, st.l))
end

-- Appends a message's current state to its entry's field list: 't' text, 'ed' edited,
-- 'd' deleted, 'rn'/'rl' replies and lastReplyTs, 'x' reactions (JSON). `entries` as XRANGE
-- returns them; three HMGETs whatever their number.
local function with_state(ch, entries)
  if #entries == 0 then return entries end
  local ids = {}
  for i, e in ipairs(entries) do ids[i] = e[1] end
  local texts = redis.call('HMGET', ckey(ch, 'text'), unpack(ids))
  local states = redis.call('HMGET', ckey(ch, 'state'), unpack(ids))
  local reactions = redis.call('HMGET', ckey(ch, 'reactions'), unpack(ids))
  for i, e in ipairs(entries) do
    local f = e[2]
    if texts[i] then f[#f + 1] = 't'; f[#f + 1] = texts[i] end
    if states[i] then
      local ed, d, n, l = string.match(states[i], '^(%d+) (%d+) (%d+) (%d+)$')
      if ed then
        if ed ~= '0' then f[#f + 1] = 'ed'; f[#f + 1] = ed end
        if d ~= '0' then f[#f + 1] = 'd'; f[#f + 1] = '1' end
        if n ~= '0' then f[#f + 1] = 'rn'; f[#f + 1] = n; f[#f + 1] = 'rl'; f[#f + 1] = l end
      end
    end
    if reactions[i] then f[#f + 1] = 'x'; f[#f + 1] = reactions[i] end
  end
  return entries
end

-- The log entry `id` of `ch` with its current state, or nil.
local function current_message(ch, id)
  local e = redis.call('XRANGE', ckey(ch, 'log'), id, id)[1]
  if not e then return nil end
  return with_state(ch, {e})[1]
end

-- The `update` event of an existing message: its whole current state, to every member. The
-- change is also recorded in the channel's changes stream, whose ID is the event's cursor.
local function announce_update(ch, entry)
  local changes = ckey(ch, 'changes')
  local change = redis.call('XADD', changes, 'MAXLEN', '~', CHANGES_MAXLEN, '*', 'i', entry[1])
  redis.call('XTRIM', changes, 'MINID', '~', (now_ms() - CHANGES_MAX_AGE_MS) .. '-0')
  -- The stream's newest ID, as a string a ChannelInfo reads with its other small values.
  redis.call('SET', ckey(ch, 'lastchange'), change)
  local args = {'e', 'upd', 'c', ch, 'i', entry[1], 'lc', change}
  for _, v in ipairs(entry[2]) do args[#args + 1] = v end
  bus(unpack(args))
end

-- Counts texts erased or replaced since the last append-only-file rewrite (the server
-- schedules BGREWRITEAOF on the embedded Redis when this is not 0).
local function note_erased()
  redis.call('HINCRBY', 'rill:meta', 'erased', 1)
end

-- Checks that `name` may change message `id` of `ch` (its author, a kind=message entry, not
-- deleted). Returns the entry and its state, or nil and the error reply.
local function own_message(ch, id, userKey, name)
  if not is_member(ch, name) then return nil, nil, {'not_member'} end
  local e = redis.call('XRANGE', ckey(ch, 'log'), id, id)[1]
  if not e then return nil, nil, {'no_such_message'} end
  if field(e[2], 'k') ~= 'm' then return nil, nil, {'forbidden', 'join and part entries cannot be changed'} end
  if string.lower(field(e[2], 'u') or '') ~= userKey then
    return nil, nil, {'forbidden', 'only its author can change a message'}
  end
  return e, state_get(ch, id), nil
end

-- Mentions (docs/storage.md, "Mentions"): ment:<user> holds the `s` of each message by someone
-- else that mentions the user; `mentioned` keeps, per message, whom it was indexed for, so an
-- edit or a delete changes exactly those. `candidates` are user keys from the C++ rule
-- (protocol::mentionedUserKeys); only members other than the author count. Bounded by the
-- number of candidates, which the server caps.
local function set_mentions(ch, id, seq, authorKey, candidates)
  local listKey = ckey(ch, 'mentioned')
  local before = {}
  local old = redis.call('HGET', listKey, id)
  if old then
    for k in string.gmatch(old, '%S+') do before[k] = true end
  end
  local now, kept = {}, {}
  for _, k in ipairs(candidates) do
    if k ~= authorKey and not now[k] then
      local display = redis.call('HGET', ukey(k), 'name')
      if display and is_member(ch, display) then
        now[k] = true
        kept[#kept + 1] = k
      end
    end
  end
  for k in pairs(before) do
    if not now[k] then redis.call('ZREM', ckey(ch, 'ment:' .. k), seq) end
  end
  for k in pairs(now) do
    if not before[k] then redis.call('ZADD', ckey(ch, 'ment:' .. k), seq, seq) end
  end
  if #kept > 0 then redis.call('HSET', listKey, id, table.concat(kept, ' ')) else redis.call('HDEL', listKey, id) end
end

-- Search (docs/storage.md, "Search"). Words come from C++ (protocol::searchWords), never from
-- Lua. Per channel: `w:<word>` the postings (the `s` of each message with the word, 4 bytes
-- big-endian, ascending), `wx:<word>` postings that arrived out of order, `vocab` every word
-- for prefix expansion, `ids` s -> message ID (16 bytes at 16*(s-1)), `words` s -> its words.
local POSTING_WIDTH = 4
local IDS_WIDTH = 16

local function posting_key(ch, word) return ckey(ch, 'w:' .. word) end
local function late_key(ch, word) return ckey(ch, 'wx:' .. word) end

local function posting_count(key)
  return math.floor(redis.call('STRLEN', key) / POSTING_WIDTH)
end

local function posting_at(key, i) -- i from 0
  return (struct.unpack('>I4', redis.call('GETRANGE', key, i * POSTING_WIDTH, i * POSTING_WIDTH + POSTING_WIDTH - 1)))
end

-- How many postings of `key` (n of them) are below `seq`: O(log n) reads.
local function postings_below(key, n, seq)
  local lo, hi = 0, n
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if posting_at(key, mid) < seq then lo = mid + 1 else hi = mid end
  end
  return lo
end

local function ids_put(ch, seq, id)
  local ms, n = parse_id(id)
  redis.call('SETRANGE', ckey(ch, 'ids'), IDS_WIDTH * (seq - 1), struct.pack('>I8>I8', ms, n))
end

local function ids_count(ch)
  return math.floor(redis.call('STRLEN', ckey(ch, 'ids')) / IDS_WIDTH)
end

-- The message ID with sequence number `seq` as two numbers (0, 0 when unknown).
local function ids_at(ch, seq)
  local b = redis.call('GETRANGE', ckey(ch, 'ids'), IDS_WIDTH * (seq - 1), IDS_WIDTH * seq - 1)
  if #b < IDS_WIDTH then return 0, 0 end
  return struct.unpack('>I8>I8', b)
end

local function id_text(ms, n) return string.format('%.0f-%.0f', ms, n) end

-- Adds `seq` to a word's postings: appended when newest (a send), else kept aside in `wx:`.
local function posting_add(ch, word, seq)
  local key = posting_key(ch, word)
  local n = posting_count(key)
  if n == 0 or posting_at(key, n - 1) < seq then
    redis.call('APPEND', key, struct.pack('>I4', seq))
  else
    redis.call('ZADD', late_key(ch, word), seq, seq)
  end
  redis.call('ZADD', ckey(ch, 'vocab'), 0, word)
end

-- Removes `seq` from a word's postings: each copy is overwritten in place with the posting
-- before it (0 at the start), so the string stays sorted and nothing links the word to it.
-- O(log n) reads.
local function posting_remove(ch, word, seq)
  local key = posting_key(ch, word)
  local n = posting_count(key)
  local i = postings_below(key, n, seq)
  if i < n and posting_at(key, i) == seq then
    local prev = 0
    if i > 0 then prev = posting_at(key, i - 1) end
    local filler = struct.pack('>I4', prev)
    while i < n and posting_at(key, i) == seq do
      redis.call('SETRANGE', key, i * POSTING_WIDTH, filler)
      i = i + 1
    end
  end
  redis.call('ZREM', late_key(ch, word), seq)
  -- A word no message has any more goes entirely (deleted means gone, its words included):
  -- postings are sorted, so a last one of 0 means every one was overwritten.
  if n > 0 and posting_at(key, n - 1) == 0 then redis.call('DEL', key) end
  if redis.call('EXISTS', key, late_key(ch, word)) == 0 then redis.call('ZREM', ckey(ch, 'vocab'), word) end
end

-- Sets message `id` (number `seq`) to have exactly `words` (a list): the postings of the words
-- it lost and gained change, nothing else. An empty list unindexes it (a delete). Its `ids`
-- entry is written once, when it is sent (ids_put), whether it has words or not.
local function set_words(ch, id, seq, words)
  local wordsKey = ckey(ch, 'words')
  local before = {}
  local old = redis.call('HGET', wordsKey, seq)
  if old then
    for w in string.gmatch(old, '%S+') do before[w] = true end
  end
  local now = {}
  for _, w in ipairs(words) do now[w] = true end
  for w in pairs(before) do
    if not now[w] then posting_remove(ch, w, seq) end
  end
  for _, w in ipairs(words) do
    if not before[w] then posting_add(ch, w, seq) end
  end
  if #words > 0 then
    redis.call('HSET', wordsKey, seq, table.concat(words, ' '))
  else
    redis.call('HDEL', wordsKey, seq)
  end
end

-- A script's ARGV from `at`: a count, then that many values. Returns the values and the index
-- after them.
local function counted_args(at)
  local n = tonumber(ARGV[at]) or 0
  local out = {}
  for i = 1, n do out[i] = ARGV[at + i] end
  return out, at + n + 1
end
