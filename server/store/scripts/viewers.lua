-- One node's count of a dialogue's viewers, and the dialogue's total and peak.
-- KEYS[1] hash node -> "<viewers> <ms>" (the dialogue's viewers:now),
-- KEYS[2] the peak (string); both in the dialogue's slot.
-- ARGV: node ('' = only read), viewers, now (ms), ttl (ms): a node's count
-- older than ttl is dropped (the node stopped reporting: gone or cut off).
-- Returns {total now, peak}.
local node, viewers, now, ttl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
if node ~= '' then
  redis.call('HSET', KEYS[1], node, viewers .. ' ' .. now)
end
local total = 0
local rows = redis.call('HGETALL', KEYS[1])
for i = 1, #rows, 2 do
  local count, at = string.match(rows[i + 1], '^(%d+) (%d+)$')
  if count == nil or now - tonumber(at) > ttl then
    if node ~= '' then redis.call('HDEL', KEYS[1], rows[i]) end
  else
    total = total + tonumber(count)
  end
end
local peak = tonumber(redis.call('GET', KEYS[2]) or '0')
if node ~= '' and total > peak then
  peak = total
  redis.call('SET', KEYS[2], peak)
end
return {total, peak}
