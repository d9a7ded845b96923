-- KEYS: the events, queue, overlay and status sets; the questions it reads
-- are found in those sets, so only their hash tag (the same slot) is known before.
-- A consistent snapshot: the last event id, the on-air queue's order, whether
-- the overlay is hidden, and the questions in the given states, read in one
-- step so that no event falls between them.
-- ARGV: prefix, then status names.
-- Returns {last id, queue ids (JSON), hidden (0|1), id, doc, votes, id, doc, votes, ...}.
local prefix = ARGV[1]
local last = redis.call('XREVRANGE', prefix .. 'events', '+', '-', 'COUNT', 1)
local queue = redis.call('ZRANGE', prefix .. 'queue', 0, -1)
local result = {
  last[1] and last[1][1] or '0-0',
  #queue == 0 and '[]' or cjson.encode(queue),
  redis.call('EXISTS', prefix .. 'overlay:hidden'),
}
for i = 2, #ARGV do
  for _, qid in ipairs(redis.call('ZRANGE', prefix .. 's:' .. ARGV[i], 0, -1)) do
    local row = redis.call('HMGET', prefix .. 'q:' .. qid, 'doc', 'votes')
    result[#result + 1] = qid
    result[#result + 1] = row[1]
    result[#result + 1] = row[2]
  end
end
return result
