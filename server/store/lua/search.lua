-- ARGV: name, channel, before (a message ID, '' for the newest), limit, budget, then the query's
-- words. Returns {'ok', floor, entries newest first with their current state}: the messages of
-- this channel strictly before `before` whose words have every query word as a prefix of one
-- of them, all of those at or after `floor` (a message ID), at most limit + 1. `floor` is '' when
-- the channel has no more. Bounded: at most `budget` candidates are examined (docs/storage.md,
-- "Search").
local name, ch, before, limit, budget = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
if not is_member(ch, name) then return {'not_member'} end
local query = {select(6, unpack(ARGV))}
local MAX_EXPANSION = 64
local CHUNK = 128

-- Each query word's vocabulary words (those it is a prefix of), and what walking them costs.
local rarest, rarestCost = nil, nil
for _, q in ipairs(query) do
  local expanded = redis.call('ZRANGE', ckey(ch, 'vocab'), '[' .. q, '[' .. q .. '\255', 'BYLEX', 'LIMIT', 0, MAX_EXPANSION)
  if #expanded == 0 then return {'ok', '', {}} end -- a word nothing here starts with
  local cost = 0
  for _, w in ipairs(expanded) do
    cost = cost + redis.call('STRLEN', posting_key(ch, w)) / POSTING_WIDTH + redis.call('ZCARD', late_key(ch, w))
  end
  if not rarestCost or cost < rarestCost then rarest, rarestCost = expanded, cost end
end

-- Candidates are numbers below `bound`: the first message at or after `before`.
local bound = seq_now(ch) + 1
if before ~= '' then
  local bms, bn = parse_id(before)
  local lo, hi = 1, math.min(ids_count(ch), bound - 1) + 1 -- the first s whose ID >= before
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    local ms, n = ids_at(ch, mid)
    if ms < bms or (ms == bms and n < bn) then lo = mid + 1 else hi = mid end
  end
  bound = lo
end

-- A source yields one word's postings below `bound`, newest first, read CHUNK at a time.
local sources = {}
for _, w in ipairs(rarest) do
  local key = posting_key(ch, w)
  local src = {key = key, next = postings_below(key, posting_count(key), bound), buf = {}, at = 0}
  function src.refill(self)
    if self.next <= 0 then return end
    local from = math.max(0, self.next - CHUNK)
    local bytes = redis.call('GETRANGE', self.key, from * POSTING_WIDTH, self.next * POSTING_WIDTH - 1)
    self.buf, self.at = {}, 0
    for i = self.next - from, 1, -1 do
      self.buf[#self.buf + 1] = (struct.unpack('>I4', bytes, (i - 1) * POSTING_WIDTH + 1))
    end
    self.next = from
  end
  sources[#sources + 1] = src
  local late = {key = late_key(ch, w), top = '(' .. bound, buf = {}, at = 0}
  function late.refill(self)
    if not self.top then return end
    local got = redis.call('ZREVRANGEBYSCORE', self.key, self.top, '-inf', 'LIMIT', 0, CHUNK)
    self.buf, self.at = {}, 0
    for i, v in ipairs(got) do self.buf[i] = tonumber(v) end
    if #got < CHUNK then self.top = nil else self.top = '(' .. got[#got] end
  end
  sources[#sources + 1] = late
end
local function head(src)
  if src.at >= #src.buf then src:refill() end
  if src.at >= #src.buf then return nil end
  return src.buf[src.at + 1]
end

local function matches(words)
  local padded = ' ' .. words
  for _, q in ipairs(query) do
    if not string.find(padded, ' ' .. q, 1, true) then return false end
  end
  return true
end

local found, examined, floor = {}, 0, ''
local wordsKey = ckey(ch, 'words')
while true do
  local top = nil
  for _, src in ipairs(sources) do
    local h = head(src)
    if h and (not top or h > top) then top = h end
  end
  if not top or top == 0 then break end -- 0 fills the start of a string whose first posting went
  for _, src in ipairs(sources) do -- every copy of it: tombstones repeat their neighbour
    while head(src) == top do src.at = src.at + 1 end
  end
  examined = examined + 1
  local id = id_text(ids_at(ch, top))
  local words = redis.call('HGET', wordsKey, id)
  if words and matches(words) then
    found[#found + 1] = {id}
    if #found > limit then floor = id; break end
  end
  if examined >= budget then floor = id; break end
end

-- The page's entries with their current state: their log entries first, then three HMGETs.
local entries = {}
for _, f in ipairs(found) do
  local e = redis.call('XRANGE', ckey(ch, 'log'), f[1], f[1])[1]
  if e then entries[#entries + 1] = e end
end
return {'ok', floor, with_state(ch, entries)}
