-- KEYS: every key it touches, as the caller names them (one slot: a Cluster
-- routes the call by them); the script builds the same names from the prefix.
-- Append entries to an audit stream, if its head is still the one they were
-- chained from. ARGV[1] the key prefix, ARGV[2] {expect, count, entries} as JSON.
-- Returns {'ok'} | {'audit', head hash}.
local prefix = ARGV[1]
local spec = cjson.decode(ARGV[2])
local head = audit_head(prefix)
if head ~= spec.expect then
  return {'audit', head}
end
audit_append(prefix, spec)
return {'ok'}
