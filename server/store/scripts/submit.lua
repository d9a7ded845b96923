-- Accept a question into a dialogue's inbox, idempotently, in one step: the
-- whole submit path's Redis work in one round trip (issue 15, item 3).
-- KEYS[1] submissions hash, KEYS[2] tracking hash, KEYS[3] inbox stream,
-- KEYS[4] id sequence, KEYS[5] the dialogue's document, KEYS[6] its version;
-- then one token bucket per limit (ARGV[7]), in the order they are taken; then,
-- when ARGV[8] is 'redeem', the proof-of-work challenge's "used" key. Every
-- other key is built from ARGV[1], the dialogue's prefix; all share its hash
-- tag (one slot).
-- ARGV: [1] prefix, [2] submission_id ('' = none), [3] tracking_code,
--       [4] question doc (JSON), [5] the dialogue version the node checked the
--       question against ('' = none to compare), [6] now in milliseconds,
--       [7] number of buckets, [8] proof: '' none, 'bad' (refused by the node,
--       told after the limits), 'redeem' (valid: used once), [9] the proof
--       key's time to live (ms), [10] '1' for the honeypot (limits and proof,
--       then nothing is stored), [11] the question's standing in the
--       dashboard's counters ({field: n}, JSON: domain/tally.py), [12] what
--       its arrival adds to them ({field: n}, JSON), [13 .. 12 + 2 * buckets]
--       each bucket's capacity and period (seconds), then contact
--       field/value pairs. The counters ({prefix}fig, and fig:ready at the
--       dialogue's first question) are named from the prefix, after every
--       other key in KEYS.
-- Returns, checked in this order (nothing is written by any but the last
-- two, beyond the tokens and the proof taken before):
--   {'stale'}                  the stored dialogue is at another version
--   {'collision'}              the tracking code is taken (draw another)
--   {'limited', retry_ms}      a bucket is empty (the ones before it were taken)
--   {'proof', 'invalid'|'used'} the proof of work is refused
--   {'trap'}                   the honeypot: the checks passed, nothing stored
--   {tracking_code, question_id, created (1|0)}
local prefix, sid, code, doc = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local now, buckets = tonumber(ARGV[6]), tonumber(ARGV[7])
local proof, proof_ttl, trap = ARGV[8], ARGV[9], ARGV[10]

if ARGV[5] ~= '' then
  local version = redis.call('GET', KEYS[6])
  if not version then
    -- A dialogue saved before its version had a key of its own.
    local raw = redis.call('GET', KEYS[5])
    if not raw then return {'stale'} end
    version = cjson.decode(raw)['version'] or 0
  end
  if tonumber(version) ~= tonumber(ARGV[5]) then return {'stale'} end
end
if redis.call('HEXISTS', KEYS[2], code) == 1 then
  return {'collision'}
end

-- The token buckets, as rate_limit.lua takes one token from each.
for i = 1, buckets do
  local key = KEYS[6 + i]
  local capacity, period = tonumber(ARGV[11 + 2 * i]), tonumber(ARGV[12 + 2 * i])
  local rate = capacity / (period * 1000)
  local state = redis.call('HMGET', key, 'tokens', 'at')
  local tokens = tonumber(state[1]) or capacity
  local at = tonumber(state[2]) or now
  tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
  if tokens < 1 then
    return {'limited', math.ceil((1 - tokens) / rate)}
  end
  redis.call('HSET', key, 'tokens', tokens - 1, 'at', now)
  redis.call('PEXPIRE', key, math.ceil(period * 1000) + 1000)
end

if proof == 'bad' then
  return {'proof', 'invalid'}
elseif proof == 'redeem' then
  if not redis.call('SET', KEYS[7 + buckets], '1', 'NX', 'PX', proof_ttl) then
    return {'proof', 'used'}
  end
end
if trap == '1' then
  return {'trap'}
end

if sid ~= '' then
  local existing = redis.call('HGET', KEYS[1], sid)
  if existing then
    -- Written again, so that a WAIT after this retry covers the first write.
    redis.call('HSET', KEYS[1], sid, existing)
    return {existing, redis.call('HGET', KEYS[2], existing), 0}
  end
end
local qid = tostring(redis.call('INCR', KEYS[4]))
redis.call('HSET', prefix .. 'q:' .. qid, 'doc', doc, 'status', 'received', 'version', 0,
  'votes', 0, 'tally', ARGV[11])
redis.call('ZADD', prefix .. 's:received', tonumber(qid), qid)
if qid == '1' then
  -- The dialogue's first question: its counters count every question from here.
  redis.call('SET', prefix .. 'fig:ready', '1')
end
for _, arg in ipairs({ARGV[11], ARGV[12]}) do
  for field, n in pairs(cjson.decode(arg)) do
    redis.call('HINCRBY', prefix .. 'fig', field, n)
  end
end
local first_contact = 13 + 2 * buckets
if #ARGV >= first_contact then
  redis.call('HSET', prefix .. 'contact:' .. qid, unpack(ARGV, first_contact))
end
redis.call('HSET', KEYS[2], code, qid)
if sid ~= '' then
  redis.call('HSET', KEYS[1], sid, code)
end
redis.call('XADD', KEYS[3], '*', 'qid', qid)
return {code, qid, 1}
