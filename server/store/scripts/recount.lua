-- Write a dialogue's dashboard counters anew (its questions came before they
-- were kept), if nothing changed since the caller read the questions.
-- KEYS: the events stream, the id sequence, the counters, their ready mark
-- (the questions' hashes are built from the prefix: same slot, not known before).
-- ARGV[1] prefix, ARGV[2] the last event id read, ARGV[3] the sequence read,
-- ARGV[4] {fig: {field: n}, q: {id: {tally: {field: n}, once: [mark]}}}.
-- Returns {'ok'} | {'moved'} (read again) | {'ready'} (someone else did it).
local prefix = ARGV[1]
if redis.call('EXISTS', prefix .. 'fig:ready') == 1 then
  return {'ready'}
end
local last = redis.call('XREVRANGE', prefix .. 'events', '+', '-', 'COUNT', 1)
local last_id = #last > 0 and last[1][1] or '0-0'
if last_id ~= ARGV[2] or (redis.call('GET', prefix .. 'seq') or '0') ~= ARGV[3] then
  return {'moved'}
end
local spec = cjson.decode(ARGV[4])
redis.call('DEL', prefix .. 'fig')
for field, n in pairs(spec.fig) do
  redis.call('HSET', prefix .. 'fig', field, n)
end
for qid, q in pairs(spec.q) do
  local key = prefix .. 'q:' .. qid
  redis.call('HSET', key, 'tally', cjson.encode(q.tally))
  redis.call('HDEL', key, 'once:decided', 'once:answered')
  for _, mark in ipairs(q.once) do
    redis.call('HSET', key, 'once:' .. mark, 1)
  end
end
redis.call('SET', prefix .. 'fig:ready', '1')
return {'ok'}
