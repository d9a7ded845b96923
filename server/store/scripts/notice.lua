-- KEYS: every key it touches, as the caller names them (one slot: a Cluster
-- routes the call by them); the script builds the same names from the prefix.
-- One delivery of a notice (<question id>:<channel>), at most once however
-- many attempts, nodes and retries there are.
-- ARGV[1] the dialogue's key prefix, ARGV[2] 'begin' | 'done' | 'release',
-- ARGV[3] the delivery, ARGV[4] this attempt's token: '<node> <random>',
-- ARGV[5] begin: the lock's lifetime in ms; done: when it was delivered.
-- begin: 'sent' (delivered before) | 'busy' (another node's attempt holds it)
--        | 'go' (locked for this attempt, until done or release or the lifetime ends).
--        A lock of this same node is a leftover of its previous life (a node
--        makes one delivery at a time): taken over at once.
-- done: records the delivery and unlocks; release (a failed attempt): unlocks.
-- Only the attempt that holds the lock unlocks it.
local prefix, op, delivery, token = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local sent = prefix .. 'notified'
local lock = prefix .. 'notify:lock:' .. delivery
if op == 'begin' then
  if redis.call('HEXISTS', sent, delivery) == 1 then
    return 'sent'
  end
  local held = redis.call('GET', lock)
  local node = string.match(token, '^(%S+) ')
  if held and string.sub(held, 1, #node + 1) ~= node .. ' ' then
    return 'busy'
  end
  redis.call('SET', lock, token, 'PX', ARGV[5])
  return 'go'
end
if op == 'done' then
  redis.call('HSET', sent, delivery, ARGV[5])
end
if redis.call('GET', lock) == token then
  redis.call('DEL', lock)
end
return 'ok'
