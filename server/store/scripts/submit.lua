-- Accept a question into a dialogue's inbox, idempotently, in one step.
-- KEYS[1] submissions hash, KEYS[2] tracking hash, KEYS[3] inbox stream,
-- KEYS[4] id sequence; all other keys are built from ARGV[1], the dialogue's
-- prefix, and share its hash tag (one slot).
-- ARGV: prefix, submission_id ('' = none), tracking_code, question doc (JSON),
--       the question's standing in the dashboard's counters ({field: n}, JSON),
--       what its arrival adds to them ({field: n}, JSON),
--       then contact field/value pairs (may be none).
-- Returns {tracking_code, question_id, created (1|0)} or {'collision'}.
local prefix, sid, code, doc = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
if sid ~= '' then
  local existing = redis.call('HGET', KEYS[1], sid)
  if existing then
    -- Written again, so that a WAIT after this retry covers the first write.
    redis.call('HSET', KEYS[1], sid, existing)
    return {existing, redis.call('HGET', KEYS[2], existing), 0}
  end
end
if redis.call('HEXISTS', KEYS[2], code) == 1 then
  return {'collision'}
end
local qid = tostring(redis.call('INCR', KEYS[4]))
redis.call('HSET', prefix .. 'q:' .. qid, 'doc', doc, 'status', 'received', 'version', 0, 'votes', 0)
redis.call('ZADD', prefix .. 's:received', tonumber(qid), qid)
redis.call('HSET', prefix .. 'q:' .. qid, 'tally', ARGV[5])
if qid == '1' then
  -- The dialogue's first question: its counters count every question from here.
  redis.call('SET', prefix .. 'fig:ready', '1')
end
for _, arg in ipairs({ARGV[5], ARGV[6]}) do
  for field, n in pairs(cjson.decode(arg)) do
    redis.call('HINCRBY', prefix .. 'fig', field, n)
  end
end
if #ARGV > 6 then
  redis.call('HSET', prefix .. 'contact:' .. qid, unpack(ARGV, 7))
end
redis.call('HSET', KEYS[2], code, qid)
if sid ~= '' then
  redis.call('HSET', KEYS[1], sid, code)
end
redis.call('XADD', KEYS[3], '*', 'qid', qid)
return {code, qid, 1}
