// Undo for the moderation console: what this console did, last first, and the
// action that takes each step back. Only this console's own actions are kept
// (not other moderators'), and only for this page's life.
//
// It never sends anything itself: the console sends the inverse like any
// other action, with the question's current version.

// How many steps back a moderator can go; older ones are dropped.
const DEPTH = 50;

/**
 * The action that undoes `action`, taken on `before` (the question as it was
 * just before): {action, body}, or null when there is none.
 */
export function inverse(action, before) {
  switch (action) {
    case "approve":
      return { action: "unpublish", body: {} };
    case "reject":
      return { action: "restore", body: {} };
    case "edit":
      return { action: "edit", body: { text: before.text } };
    case "set_topic":
      return { action: "set_topic", body: { topic: before.topic || null } };
    case "assign":
      return { action: "assign", body: { official_id: before.official ? before.official.id : null } };
    case "merge":
      return { action: "unmerge", body: {} };
    case "queue":
      return { action: "dequeue", body: {} };
    default:
      return null;
  }
}

/**
 * A stack of undo steps; each step is [{id, done, action, body}] (one per
 * question: the action done, and the one that undoes it), its `many` true
 * for a bulk action's (undone with one message for them all).
 */
export class UndoStack {
  constructor() {
    this.steps = [];
  }

  /** Remember that `action` was taken on each of `befores` (questions as they were); `many`: by a bulk action. */
  push(action, befores, { many = false } = {}) {
    const step = [];
    for (const before of befores) {
      const undo = inverse(action, before);
      if (undo) step.push({ id: before.id, done: action, ...undo });
    }
    if (!step.length) return;
    step.many = many;
    this.steps.push(step);
    if (this.steps.length > DEPTH) this.steps.shift();
  }

  pop() {
    return this.steps.pop() || null;
  }

  get size() {
    return this.steps.length;
  }
}
