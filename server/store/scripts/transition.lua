-- KEYS: every key it touches, as the caller names them (one slot: a Cluster
-- routes the call by them); the script builds the same names from the prefix.
-- Write one decision (one or more questions) and append its events atomically.
-- Every question's version is checked first; if any differs, nothing is written.
-- ARGV[1] the dialogue's key prefix (all keys share its hash tag: one slot),
-- ARGV[2] approximate maximum length of the events stream,
-- ARGV[3] the decision as JSON:
--   writes: [{id, expect, status, prev, doc, queue: "head"|"tail"|<int position>|nil,
--             absorb_votes_of: <question id>|nil, release_votes_of: <question id>|nil,
--             tally: {field: n} (the question's standing in the dashboard's
--                    counters: the old one, kept in the question's hash, is
--                    taken away and this one added),
--             bump: {field: n} (added to the counters),
--             once: {mark: {field: n}} (added only the first time the
--                   question gets that mark)}]
--   onair:  {expect: <id or "">, set: <id or "">} or nil
--   events: [{type, prev, id}]   (the event carries the written doc of question id)
--   ack:    {group, entry} or nil  (XACK the dialogue's inbox entry in the same step)
--   audit:  {expect, count, entries: [{doc, prev, hash}]} or nil (see _audit.lua)
--   notify: [question id] or nil: questions whose askers have news (an answer),
--           each XADDed to the dialogue's notify stream for the notifier
-- Appends queue.changed (the queue's ids in order) when a write touched the queue.
-- Returns {'ok', event id...} | {'conflict', id, version, status} | {'missing', id}
--       | {'onair', current id} | {'audit', head hash}.
local prefix, maxlen = ARGV[1], ARGV[2]
local spec = cjson.decode(ARGV[3])
local queue_key = prefix .. 'queue'

for _, w in ipairs(spec.writes) do
  local cur = redis.call('HMGET', prefix .. 'q:' .. w.id, 'version', 'status')
  if not cur[1] then
    return {'missing', w.id}
  end
  if tonumber(cur[1]) ~= w.expect or cur[2] ~= w.prev then
    return {'conflict', w.id, cur[1], cur[2]}
  end
end
if spec.onair then
  local cur = redis.call('GET', prefix .. 'onair') or ''
  if cur ~= spec.onair.expect then
    return {'onair', cur}
  end
end
if spec.audit then
  local head = audit_head(prefix)
  if head ~= spec.audit.expect then
    return {'audit', head}
  end
end

local function queue_score(position)
  if position == 'tail' or position == nil then
    local last = redis.call('ZRANGE', queue_key, -1, -1, 'WITHSCORES')
    if #last == 0 then return 0 end
    return tonumber(last[2]) + 1
  end
  if position == 'head' or tonumber(position) <= 0 then
    local first = redis.call('ZRANGE', queue_key, 0, 0, 'WITHSCORES')
    if #first == 0 then return 0 end
    return tonumber(first[2]) - 1
  end
  local p = tonumber(position)
  local around = redis.call('ZRANGE', queue_key, p - 1, p, 'WITHSCORES')
  if #around == 0 then return queue_score('tail') end
  if #around == 2 then return tonumber(around[2]) + 1 end
  return (tonumber(around[2]) + tonumber(around[4])) / 2
end

local figures_key = prefix .. 'fig'
local function count(fields, sign)
  for field, n in pairs(fields) do
    redis.call('HINCRBY', figures_key, field, sign * n)
  end
end

local docs = {}
local queue_touched = false
for _, w in ipairs(spec.writes) do
  local key = prefix .. 'q:' .. w.id
  redis.call('HSET', key, 'doc', w.doc, 'status', w.status, 'version', w.expect + 1)
  docs[w.id] = w.doc
  if w.tally then
    local old = redis.call('HGET', key, 'tally')
    if old then count(cjson.decode(old), -1) end
    count(w.tally, 1)
    redis.call('HSET', key, 'tally', cjson.encode(w.tally))
  end
  if w.bump then count(w.bump, 1) end
  if w.once then
    for mark, fields in pairs(w.once) do
      if redis.call('HSETNX', key, 'once:' .. mark, 1) == 1 then count(fields, 1) end
    end
  end
  if w.status ~= w.prev then
    redis.call('ZREM', prefix .. 's:' .. w.prev, w.id)
    redis.call('ZADD', prefix .. 's:' .. w.status, tonumber(w.id), w.id)
  end
  if w.status == 'queued' or w.prev == 'queued' then
    queue_touched = true
  end
  if w.status == 'queued' then
    if w.prev ~= 'queued' or w.queue ~= nil then
      redis.call('ZREM', queue_key, w.id)
      redis.call('ZADD', queue_key, queue_score(w.queue), w.id)
    end
  elseif w.prev == 'queued' then
    redis.call('ZREM', queue_key, w.id)
  end
  if w.absorb_votes_of then
    local src = prefix .. 'q:' .. w.absorb_votes_of
    local moved = tonumber(redis.call('HGET', src, 'votes') or '0')
    redis.call('ZADD', prefix .. 'votes', redis.call('HINCRBY', key, 'votes', moved), w.id)
  end
  if w.release_votes_of then
    local src = prefix .. 'q:' .. w.release_votes_of
    local moved = tonumber(redis.call('HGET', src, 'votes') or '0')
    local left = tonumber(redis.call('HGET', key, 'votes') or '0') - moved
    redis.call('HSET', key, 'votes', math.max(left, 0))
    redis.call('ZADD', prefix .. 'votes', math.max(left, 0), w.id)
  end
end
if spec.onair then
  if spec.onair.set == '' then
    redis.call('DEL', prefix .. 'onair')
  else
    redis.call('SET', prefix .. 'onair', spec.onair.set)
  end
end

local result = {'ok'}
for _, e in ipairs(spec.events) do
  local votes = redis.call('HGET', prefix .. 'q:' .. e.id, 'votes') or '0'
  result[#result + 1] = redis.call('XADD', prefix .. 'events', 'MAXLEN', '~', maxlen, '*',
    'type', e.type, 'prev', e.prev, 'q', docs[e.id], 'votes', votes)
end
if queue_touched then
  -- The queue's new order, for every feed (clients keep no order of their own).
  local ids = redis.call('ZRANGE', queue_key, 0, -1)
  local listed = #ids == 0 and '[]' or cjson.encode(ids)  -- cjson writes {} for none
  result[#result + 1] = redis.call('XADD', prefix .. 'events', 'MAXLEN', '~', maxlen, '*',
    'type', 'queue.changed', 'ids', listed)
end
if spec.ack then
  redis.call('XACK', prefix .. 'inbox', spec.ack.group, spec.ack.entry)
end
if spec.audit then
  audit_append(prefix, spec.audit)
end
if spec.notify then
  for _, qid in ipairs(spec.notify) do
    redis.call('XADD', prefix .. 'notify', '*', 'qid', qid)
  end
end
return result
