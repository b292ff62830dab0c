-- One bounded step of the move from schema 1 to 2 (docs/storage.md, "Schema"); the server runs
-- the steps before it serves, holding rill:migrating, until each reports it is done.
--   'zset', key, cursor: a set becomes a sorted set (all scores 0: name order), 500 members a
--                        step; returns the cursor to continue from, '0' when done.
--   'log', channel:      indexes 1000 entries of the channel's log into own:<user> and, at its
--                        end, sets `last` and drops `authored`; returns 1 when done, else 0.
--   'done':              the store is at schema 2.
-- From schema 2 to 3 (texts out of the log, so that deleting one really removes it):
--   'text', channel:     copies the next 1000 entries of the log, with the same IDs, without
--                        their text, into log:migrating and their texts into `text`; at the end
--                        renames the copy over the log. Returns 1 when done, else 0. Progress
--                        is the copy's newest entry, so a step cut short is simply repeated.
--   'done3':             the store is at schema 3.
-- From schema 3 to 4 (the search index; words are computed in C++, protocol::searchWords):
--   'texts', channel:    the next 200 entries of the log after its progress (`indexed`):
--                        {last entry ID ('' at the end of the log), then per kind=message entry
--                        its ID, `s` and text ('' when deleted)}; {} when the log is done.
--   'index', channel, last entry ID (as 'texts' gave it), then per message its ID, `s`, the
--                        number of its words and the words: indexes them (every message gets its
--                        `ids` entry) and moves the progress, in one step. Returns 1 when the log
--                        is done, else 0. A step cut short is repeated from the same progress.
--   'done4':             the store is at schema 4.
local step = ARGV[1]
if step == 'zset' then
  local key, cursor = ARGV[2], ARGV[3]
  if redis.call('TYPE', key)['ok'] ~= 'set' then return '0' end -- converted already, or gone
  local tmp = key .. ':migrating'
  local page = redis.call('SSCAN', key, cursor, 'COUNT', 500)
  for _, m in ipairs(page[2]) do redis.call('ZADD', tmp, 0, m) end
  if page[1] == '0' then
    if redis.call('EXISTS', tmp) == 1 then redis.call('RENAME', tmp, key) else redis.call('DEL', key) end
  end
  return page[1]
end
if step == 'log' then
  local ch = ARGV[2]
  if redis.call('EXISTS', ckey(ch, 'last')) == 1 then return 1 end
  local log, progress = ckey(ch, 'log'), ckey(ch, 'migrated')
  local from = redis.call('GET', progress)
  local start = '-'
  if from then start = '(' .. from end
  local batch = 1000
  local entries = redis.call('XRANGE', log, start, '+', 'COUNT', batch)
  for _, e in ipairs(entries) do
    if field(e[2], 'k') == 'm' then
      own_append(ch, string.lower(field(e[2], 'u') or ''), tonumber(field(e[2], 's')) or 0)
    end
  end
  if #entries == batch then
    redis.call('SET', progress, entries[#entries][1])
    return 0
  end
  local newestEntry = redis.call('XREVRANGE', log, '+', '-', 'COUNT', 1)[1]
  if newestEntry then redis.call('SET', ckey(ch, 'last'), newestEntry[1] .. ' ' .. seq_now(ch)) end
  redis.call('DEL', progress, ckey(ch, 'authored'))
  return 1
end
if step == 'done' then
  redis.call('HSET', 'rill:meta', 'schema', '2')
  return 'OK'
end
if step == 'text' then
  local ch = ARGV[2]
  if redis.call('SISMEMBER', 'rill:migration:3', ch) == 1 then return 1 end
  local log, copy = ckey(ch, 'log'), ckey(ch, 'log:migrating')
  local start = '-'
  local copied = redis.call('XREVRANGE', copy, '+', '-', 'COUNT', 1)[1]
  if copied then start = '(' .. copied[1] end
  local batch = 1000
  local entries = redis.call('XRANGE', log, start, '+', 'COUNT', batch)
  for _, e in ipairs(entries) do
    local args = {}
    for i = 1, #e[2], 2 do
      if e[2][i] == 't' then
        redis.call('HSET', ckey(ch, 'text'), e[1], e[2][i + 1])
      else
        args[#args + 1] = e[2][i]
        args[#args + 1] = e[2][i + 1]
      end
    end
    redis.call('XADD', copy, e[1], unpack(args))
  end
  if #entries == batch then return 0 end
  if redis.call('EXISTS', copy) == 1 then redis.call('RENAME', copy, log) end
  redis.call('SADD', 'rill:migration:3', ch)
  return 1
end
if step == 'done3' then
  redis.call('HSET', 'rill:meta', 'schema', '3')
  redis.call('DEL', 'rill:migration:3')
  return 'OK'
end
if step == 'texts' then
  local ch = ARGV[2]
  if redis.call('SISMEMBER', 'rill:migration:4', ch) == 1 then return {} end
  local from = redis.call('GET', ckey(ch, 'indexed'))
  local start = '-'
  if from then start = '(' .. from end
  local batch = 200
  local entries = redis.call('XRANGE', ckey(ch, 'log'), start, '+', 'COUNT', batch)
  local out = {''}
  if #entries == batch then out[1] = entries[#entries][1] end
  local ids, seqs = {}, {}
  for _, e in ipairs(entries) do
    if field(e[2], 'k') == 'm' then
      ids[#ids + 1] = e[1]
      seqs[#seqs + 1] = field(e[2], 's') or '0'
    end
  end
  if #ids == 0 then return out end
  local texts = redis.call('HMGET', ckey(ch, 'text'), unpack(ids))
  for i, id in ipairs(ids) do
    out[#out + 1] = id
    out[#out + 1] = seqs[i]
    out[#out + 1] = texts[i] or ''
  end
  return out
end
if step == 'index' then
  local ch, last = ARGV[2], ARGV[3]
  local at = 4
  while at <= #ARGV do
    local id, seq = ARGV[at], tonumber(ARGV[at + 1])
    local words, after = counted_args(at + 2)
    if seq and seq > 0 then
      ids_put(ch, seq, id)
      set_words(ch, id, seq, words)
    end
    at = after
  end
  if last ~= '' then
    redis.call('SET', ckey(ch, 'indexed'), last)
    return 0
  end
  redis.call('DEL', ckey(ch, 'indexed'))
  redis.call('SADD', 'rill:migration:4', ch)
  return 1
end
if step == 'done4' then
  redis.call('HSET', 'rill:meta', 'schema', '4')
  redis.call('DEL', 'rill:migration:4')
  return 'OK'
end
return redis.error_reply('unknown migration step ' .. tostring(step))
