-- A dialogue's new document, written only if the stored one is still at the
-- version the change was made on, and its event, atomically.
-- KEYS: the dialogue's document, its events stream, its version (one hash slot).
-- ARGV: the new document (JSON), the expected version, events maxlen.
-- Returns the event's id, or false when the stored version is another.
local raw = redis.call('GET', KEYS[1])
if not raw then return false end
local stored = cjson.decode(raw)['version'] or 0
if tonumber(stored) ~= tonumber(ARGV[2]) then return false end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[3], cjson.decode(ARGV[1])['version'] or 0)
return redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 'type', 'dialogue.updated')
