// What a staff viewer may do with a question, as the server says: each staff
// question carries actions_by_role ({role: [actions]}, the official's list
// being what the question's own official may do), and each staff page knows
// the viewer's roles in its dialogue and the official it answers as (the
// page's "viewer-data" block).
//
// It must never hold a copy of the transition table: what is allowed is
// read from the question, so a console offers exactly what the server takes.

/** The viewer of a staff page: {roles: [role], official: id or null}. */
export function viewerOf(data) {
  return { roles: Array.isArray(data && data.roles) ? data.roles : [], official: (data && data.official) || null };
}

/** The actions `viewer` may take on staff question `q` now (a Set). */
export function allowedActions(q, viewer) {
  const allowed = new Set();
  const table = (q && q.actions_by_role) || {};
  for (const role of viewer.roles) {
    if (role === "official" && !(q.official && q.official.id === viewer.official)) continue;
    for (const action of table[role] || []) allowed.add(action);
  }
  return allowed;
}

/** Whether `viewer` may take `action` on `q` now. */
export function may(q, viewer, action) {
  return allowedActions(q, viewer).has(action);
}
