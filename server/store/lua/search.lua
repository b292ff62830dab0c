-- ARGV: name, channel, before (a message ID, '' for the newest), limit, budget, then the query's
-- words. Returns {'ok', floor, entries newest first with their current state, cut}: the messages
-- of this channel strictly before `before` whose words have every query word as a prefix of one
-- of them, all of those at or after `floor` (a message ID), at most limit + 1. `floor` is '' when
-- the channel has no more. Bounded: at most `budget` candidates are examined; `cut` is 1 when the
-- budget stopped it (the caller may go on from `floor`), 0 otherwise (docs/storage.md, "Search").
local name, ch, before, limit, budget = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
if not is_member(ch, name) then return {'not_member'} end
local query = {select(6, unpack(ARGV))}
local MAX_EXPANSION = 64

-- Each query word's vocabulary words (those it is a prefix of), and what walking them costs.
local rarest, rarestCost = nil, nil
for _, q in ipairs(query) do
  local expanded = redis.call('ZRANGE', ckey(ch, 'vocab'), '[' .. q, '[' .. q .. '\255', 'BYLEX', 'LIMIT', 0, MAX_EXPANSION)
  if #expanded == 0 then return {'ok', '', {}, 0} end -- a word nothing here starts with
  -- An expansion cut at the limit misses words, so its postings cannot be walked (verifying
  -- the candidates still checks that word exactly).
  if #expanded < MAX_EXPANSION then
    local cost, lists = 0, {}
    for i, w in ipairs(expanded) do
      local n, late = posting_count(posting_key(ch, w)), redis.call('ZCARD', late_key(ch, w))
      lists[i] = {word = w, n = n, late = late}
      cost = cost + n + late
    end
    if not rarestCost or cost < rarestCost then rarest, rarestCost = lists, cost end
  end
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

-- A source yields one word's postings below `bound`, newest first. It reads a few first (most
-- searches stop early) and twice as many each time after, up to MAX_CHUNK.
local FIRST_CHUNK, MAX_CHUNK = 16, 256
local sources = {}
if not rarest then
  -- Every query word is a short prefix of too many words: every message is a candidate, newest
  -- first (the budget bounds it as always).
  rarest = {}
  local all = {next = bound - 1, buf = {}, at = 0}
  function all.refill(self)
    self.buf, self.at = {}, 0
    for v = self.next, math.max(1, self.next - MAX_CHUNK + 1), -1 do self.buf[#self.buf + 1] = v end
    self.next = self.next - #self.buf
  end
  sources[1] = all
end
for _, list in ipairs(rarest) do
  local key = posting_key(ch, list.word)
  local below = list.n
  if list.n > 0 and posting_at(key, list.n - 1) >= bound then below = postings_below(key, list.n, bound) end
  local src = {key = key, next = below, buf = {}, at = 0, chunk = FIRST_CHUNK}
  function src.refill(self)
    if self.next <= 0 then return end
    local from = math.max(0, self.next - self.chunk)
    local bytes = redis.call('GETRANGE', self.key, from * POSTING_WIDTH, self.next * POSTING_WIDTH - 1)
    self.buf, self.at = {}, 0
    for i = self.next - from, 1, -1 do
      self.buf[#self.buf + 1] = (struct.unpack('>I4', bytes, (i - 1) * POSTING_WIDTH + 1))
    end
    self.next = from
    self.chunk = math.min(MAX_CHUNK, self.chunk * 2)
  end
  if below > 0 then sources[#sources + 1] = src end
  if list.late > 0 then
    local late = {key = late_key(ch, list.word), top = '(' .. bound, buf = {}, at = 0, chunk = FIRST_CHUNK}
    function late.refill(self)
      if not self.top then return end
      local got = redis.call('ZREVRANGEBYSCORE', self.key, self.top, '-inf', 'LIMIT', 0, self.chunk)
      self.buf, self.at = {}, 0
      for i, v in ipairs(got) do self.buf[i] = tonumber(v) end
      if #got < self.chunk then self.top = nil else self.top = '(' .. got[#got] end
      self.chunk = math.min(MAX_CHUNK, self.chunk * 2)
    end
    sources[#sources + 1] = late
  end
end
local function head(src)
  if src.at >= #src.buf then src:refill() end
  if src.at >= #src.buf then return nil end
  return src.buf[src.at + 1]
end

-- The sources in a max-heap by their next posting: a candidate costs O(log sources), however
-- many words the prefixes expanded to.
local heap = {}
local function sift_down(i)
  local n = #heap
  while true do
    local l, r, top = 2 * i, 2 * i + 1, i
    if l <= n and heap[l].h > heap[top].h then top = l end
    if r <= n and heap[r].h > heap[top].h then top = r end
    if top == i then return end
    heap[i], heap[top] = heap[top], heap[i]
    i = top
  end
end
local function sift_up(i)
  while i > 1 do
    local p = math.floor(i / 2)
    if heap[p].h >= heap[i].h then return end
    heap[p], heap[i] = heap[i], heap[p]
    i = p
  end
end
for _, src in ipairs(sources) do
  src.h = head(src)
  if src.h then heap[#heap + 1] = src; sift_up(#heap) end
end
-- The next candidate, newest first, each once (tombstones repeat their neighbour; 0 fills the
-- start of a string whose first postings went), or nil.
local last = nil
local function next_candidate()
  while #heap > 0 do
    local src = heap[1]
    local v = src.h
    src.at = src.at + 1
    src.h = head(src)
    if src.h then sift_down(1) else heap[1] = heap[#heap]; heap[#heap] = nil; if #heap > 0 then sift_down(1) end end
    if v == 0 then return nil end
    if v ~= last then last = v; return v end
  end
  return nil
end

-- Each query word must start one of the candidate's words (made once, not per candidate).
local spaced = {}
for i, q in ipairs(query) do spaced[i] = ' ' .. q end
local function matches(words)
  local padded = ' ' .. words
  for _, q in ipairs(spaced) do
    if not string.find(padded, q, 1, true) then return false end
  end
  return true
end

-- Candidates are verified against `words` a batch at a time (one HMGET); only those that match
-- (and the one it stops at) are looked up in `ids`.
local BATCH = 64
local found, examined, floor, cut = {}, 0, '', 0
local wordsKey = ckey(ch, 'words')
local done = false
while not done do
  local batch = {}
  while #batch < BATCH and examined + #batch < budget do
    local c = next_candidate()
    if not c then break end
    batch[#batch + 1] = c
  end
  if #batch == 0 then break end
  local words = redis.call('HMGET', wordsKey, unpack(batch))
  for i, c in ipairs(batch) do
    examined = examined + 1
    if words[i] and matches(words[i]) then
      found[#found + 1] = {id_text(ids_at(ch, c))}
      if #found > limit then floor = found[#found][1]; done = true; break end
    end
    if examined >= budget then floor = id_text(ids_at(ch, c)); cut = 1; done = true; break end
  end
end

-- The page's entries with their current state: their log entries first, then three HMGETs.
local entries = {}
for _, f in ipairs(found) do
  local e = redis.call('XRANGE', ckey(ch, 'log'), f[1], f[1])[1]
  if e then entries[#entries + 1] = e end
end
return {'ok', floor, with_state(ch, entries), cut}
