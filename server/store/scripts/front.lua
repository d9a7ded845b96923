-- KEYS: the events, queue, on-air, overlay, votes (and its ready mark) and
-- status sets; the
-- questions it reads are found in those sets (the same slot, not known before).
-- The public feed's first page, bounded whatever the dialogue's size, read in
-- one step so that no event falls between its parts: the last event id, the
-- head of the on-air queue and its length, whether the overlay is hidden, how
-- many questions each state holds, the question on air, the newest questions
-- (by id, every given state), the newest answered and the most supported
-- approved or queued ones.
-- ARGV: prefix, newest n, answered n, top n, queue n, then the status names.
-- Returns {last id, queue head ids (JSON), queue length, hidden (0|1),
--          counts (JSON), on-air id or '', newest ids (JSON), answered ids (JSON),
--          top ids (JSON), id, doc, votes, id, doc, votes, ...}.
local prefix = ARGV[1]
local newest_n, answered_n, top_n, queue_n =
  tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local statuses = {}
for i = 6, #ARGV do statuses[#statuses + 1] = ARGV[i] end

local function json(list)
  return #list == 0 and '[]' or cjson.encode(list)
end

-- Votes cast before the votes set was kept: built once from the questions.
if redis.call('EXISTS', prefix .. 'votes:ready') == 0 then
  for _, status in ipairs(statuses) do
    for _, qid in ipairs(redis.call('ZRANGE', prefix .. 's:' .. status, 0, -1)) do
      local votes = tonumber(redis.call('HGET', prefix .. 'q:' .. qid, 'votes') or '0')
      if votes > 0 then redis.call('ZADD', prefix .. 'votes', votes, qid) end
    end
  end
  redis.call('SET', prefix .. 'votes:ready', '1')
end

local last = redis.call('XREVRANGE', prefix .. 'events', '+', '-', 'COUNT', 1)
local queue = queue_n > 0 and redis.call('ZRANGE', prefix .. 'queue', 0, queue_n - 1) or {}
local counts = {}
local newest = {}
for _, status in ipairs(statuses) do
  local key = prefix .. 's:' .. status
  counts[status] = redis.call('ZCARD', key)
  if newest_n > 0 then
    for _, qid in ipairs(redis.call('ZREVRANGE', key, 0, newest_n - 1)) do
      newest[#newest + 1] = qid
    end
  end
end
table.sort(newest, function(a, b) return tonumber(a) > tonumber(b) end)
while #newest > newest_n do table.remove(newest) end

local answered = answered_n > 0
  and redis.call('ZREVRANGE', prefix .. 's:answered', 0, answered_n - 1) or {}
local top = {}
if top_n > 0 then
  local ranked = redis.call('ZREVRANGE', prefix .. 'votes', 0, top_n * 5 - 1, 'WITHSCORES')
  for i = 1, #ranked, 2 do
    if #top >= top_n or tonumber(ranked[i + 1]) <= 0 then break end
    local status = redis.call('HGET', prefix .. 'q:' .. ranked[i], 'status')
    if status == 'approved' or status == 'queued' then top[#top + 1] = ranked[i] end
  end
end
local on_air = redis.call('GET', prefix .. 'onair') or ''

local result = {
  last[1] and last[1][1] or '0-0',
  json(queue),
  redis.call('ZCARD', prefix .. 'queue'),
  redis.call('EXISTS', prefix .. 'overlay:hidden'),
  cjson.encode(counts),
  on_air,
  json(newest),
  json(answered),
  json(top),
}
local seen = {}
local function add(qid)
  if qid == '' or seen[qid] then return end
  seen[qid] = true
  local row = redis.call('HMGET', prefix .. 'q:' .. qid, 'doc', 'votes')
  result[#result + 1] = qid
  result[#result + 1] = row[1]
  result[#result + 1] = row[2]
end
add(on_air)
for _, list in ipairs({queue, answered, top, newest}) do
  for _, qid in ipairs(list) do add(qid) end
end
return result
