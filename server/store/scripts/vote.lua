-- KEYS: every key it touches, as the caller names them (one slot: a Cluster
-- routes the call by them); the script builds the same names from the prefix.
-- One vote per voter on a published question, and its event, atomically.
-- ARGV: prefix, question id, voter id, events maxlen, ms kept in 'voted'.
-- Returns {votes, changed (1|0)} or {'not_found'}.
local prefix, qid, voter, maxlen = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local key = prefix .. 'q:' .. qid
local status = redis.call('HGET', key, 'status')
if status ~= 'approved' and status ~= 'queued' and status ~= 'on_air'
    and status ~= 'deferred' and status ~= 'answered' then
  return {'not_found'}
end
if redis.call('SADD', prefix .. 'voters:' .. qid, voter) == 0 then
  return {redis.call('HGET', key, 'votes'), 0}
end
local votes = redis.call('HINCRBY', key, 'votes', 1)
redis.call('ZADD', prefix .. 'votes', votes, qid)
local id = redis.call('XADD', prefix .. 'events', 'MAXLEN', '~', maxlen, '*',
  'type', 'votes.changed', 'qid', qid, 'votes', votes)
-- The questions voted on in the last seconds, by the ms of their last vote.
local ms = tonumber(string.match(id, '^%d+'))
redis.call('ZADD', prefix .. 'voted', ms, qid)
redis.call('ZREMRANGEBYSCORE', prefix .. 'voted', '-inf', '(' .. (ms - tonumber(ARGV[5])))
return {votes, 1}
