-- Token bucket: KEYS[1] holds ARGV[1] tokens at most, refilled at ARGV[1]
-- tokens per ARGV[2] seconds. ARGV[3] is now in milliseconds, ARGV[4] the
-- cost: 1 takes a token, 0 only looks, -1 gives one back (a sign-in counted
-- before its password was checked, refunded when the password was right).
-- Returns {1, 0} when allowed, {0, retry after ms} when not.
local capacity, period, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
local rate = capacity / (period * 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
if cost < 0 then
  redis.call('HSET', KEYS[1], 'tokens', math.min(capacity, tokens - cost), 'at', now)
  redis.call('PEXPIRE', KEYS[1], math.ceil(period * 1000) + 1000)
  return {1, 0}
end
if tokens < 1 then
  return {0, math.ceil((1 - tokens) / rate)}
end
if cost > 0 then
  redis.call('HSET', KEYS[1], 'tokens', tokens - cost, 'at', now)
  redis.call('PEXPIRE', KEYS[1], math.ceil(period * 1000) + 1000)
end
return {1, 0}
