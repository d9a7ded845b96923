-- The audit chain's two steps, included at the top of the scripts that use it.
-- Hashes are computed by the caller (SHA-256, server/domain/audit.py); a script
-- only checks that the head it chained from is still the head (else the caller
-- re-reads it and retries) and appends the entries with the new head.
-- Keys: <prefix>audit (stream of {entry, prev, hash}), <prefix>audit:head
-- (hash {hash, count}). <prefix> is a dialogue's prefix or the global one.

local function audit_head(prefix)
  return redis.call('HGET', prefix .. 'audit:head', 'hash') or ''
end

local function audit_append(prefix, audit)
  local last = audit.expect
  for _, e in ipairs(audit.entries) do
    redis.call('XADD', prefix .. 'audit', '*', 'entry', e.doc, 'prev', e.prev, 'hash', e.hash)
    last = e.hash
  end
  redis.call('HSET', prefix .. 'audit:head', 'hash', last, 'count', audit.count + #audit.entries)
end
