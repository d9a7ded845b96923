"""Every Redis key name of doithoai, and nothing else.

All keys of one dialogue carry the hash tag ``{d:<dialogue id>}`` so that a
dialogue lives in one Redis Cluster slot and each Lua script touches one slot.
Scripts receive ``prefix(dialogue_id)`` and build the dialogue's keys from it
with the same suffixes as below (``q:<id>``, ``s:<status>``, ...), and
``voters:<id>`` (the set of voter ids of a question, only ``vote.lua`` uses it).
"""

from __future__ import annotations

#: Global keys (not per dialogue). Few, small, rarely written, and written
#: together (an account and the set of names, a session and its user's list):
#: all carry the hash tag ``{doithoai}``, one Cluster slot. The rate limits
#: are the exception: written on every request, each alone, so they spread.
GLOBAL = "{doithoai}:"
DIALOGUE_SLUGS = GLOBAL + "dialogues"  # hash slug -> dialogue id
USERS = GLOBAL + "users"  # set of usernames
TOKENS = GLOBAL + "tokens"  # hash token id -> hash of the token's secret
INTAKE_GROUP = "intake"
NOTIFY_GROUP = "notify"


def user(username: str) -> str:
    return f"{GLOBAL}user:{username}"


def token(token_hash: str) -> str:
    return f"{GLOBAL}token:{token_hash}"


def session(session_id_hash: str) -> str:
    return f"{GLOBAL}session:{session_id_hash}"


def user_sessions(username: str) -> str:
    return f"{GLOBAL}user-sessions:{username}"


def rate(scope: str, subject: str) -> str:
    return f"doithoai:rate:{scope}:{subject}"


def dialogue_rate(dialogue_id: str, scope: str, subject: str) -> str:
    """A token bucket kept in the dialogue's slot, so that the submit script
    takes it in the same step as the question (a question's limits are per
    dialogue)."""
    return prefix(dialogue_id) + f"rate:{scope}:{subject}"


def prefix(dialogue_id: str) -> str:
    return f"{{d:{dialogue_id}}}:"


def dialogue(dialogue_id: str) -> str:
    return prefix(dialogue_id) + "dialogue"


def dialogue_version(dialogue_id: str) -> str:
    """The dialogue document's version alone, which the submit script compares
    with the one the node checked the question against."""
    return prefix(dialogue_id) + "dialogue:version"


def question(dialogue_id: str, question_id: str) -> str:
    return prefix(dialogue_id) + f"q:{question_id}"


def contact(dialogue_id: str, question_id: str) -> str:
    return prefix(dialogue_id) + f"contact:{question_id}"


def by_status(dialogue_id: str, status: str) -> str:
    return prefix(dialogue_id) + f"s:{status}"


def queue(dialogue_id: str) -> str:
    return prefix(dialogue_id) + "queue"


def on_air(dialogue_id: str) -> str:
    return prefix(dialogue_id) + "onair"


def votes(dialogue_id: str) -> str:
    """Sorted set: question id by its votes (the public snapshot's most supported)."""
    return prefix(dialogue_id) + "votes"


def voted(dialogue_id: str) -> str:
    """Sorted set: question id by the stream time (ms) of its last
    ``votes.changed``, for the last few seconds only (``vote.lua`` trims it):
    what a replay looks back on (``Questions.voted``)."""
    return prefix(dialogue_id) + "voted"


def votes_ready(dialogue_id: str) -> str:
    """Set once ``votes`` holds every vote cast (built from the questions by
    the first public snapshot of a dialogue whose votes came before it)."""
    return prefix(dialogue_id) + "votes:ready"


def figures(dialogue_id: str) -> str:
    """Hash of the live dashboard's counters (``domain.tally``): kept by
    ``submit.lua`` and ``transition.lua`` as questions come and change."""
    return prefix(dialogue_id) + "fig"


def figures_ready(dialogue_id: str) -> str:
    """Set once ``figures`` counts every question: by ``submit.lua`` at the
    dialogue's first question, or by ``recount.lua`` for a dialogue whose
    questions came before the counters were kept."""
    return prefix(dialogue_id) + "fig:ready"


def viewers(dialogue_id: str) -> str:
    """Hash node name -> "<viewers> <ms>": each node's public sockets on the
    dialogue when it last said (``viewers.lua``)."""
    return prefix(dialogue_id) + "viewers:now"


def viewers_peak(dialogue_id: str) -> str:
    return prefix(dialogue_id) + "viewers:peak"


def tracking(dialogue_id: str) -> str:
    return prefix(dialogue_id) + "trk"


def submissions(dialogue_id: str) -> str:
    return prefix(dialogue_id) + "subs"


def proof_used(dialogue_id: str, salt: str) -> str:
    """Set (until the challenge expires) once a proof-of-work challenge was used."""
    return prefix(dialogue_id) + f"pow:{salt}"


def proven_voter(dialogue_id: str, voter: str) -> str:
    """Set (for ``proof.VOTER_PASS``) once a voter id paid a proof of work."""
    return prefix(dialogue_id) + f"pow-voter:{voter}"


def trap(dialogue_id: str, code: str) -> str:
    """What the honeypot answered a robot (its code's view), for a while."""
    return prefix(dialogue_id) + f"trap:{code}"


def inbox(dialogue_id: str) -> str:
    return prefix(dialogue_id) + "inbox"


def dead_letters(dialogue_id: str) -> str:
    return prefix(dialogue_id) + "dead"


def events(dialogue_id: str) -> str:
    return prefix(dialogue_id) + "events"


#: The prefix of the global audit stream (changes that belong to no dialogue).
GLOBAL_AUDIT = GLOBAL


def audit_stream(prefix_: str) -> str:
    """The audit stream under ``prefix_`` (a dialogue's ``prefix`` or ``GLOBAL_AUDIT``)."""
    return prefix_ + "audit"


def audit_head(prefix_: str) -> str:
    return prefix_ + "audit:head"


def air_change(dialogue_id: str) -> str:
    """The last air change (JSON), kept while it may be undone."""
    return prefix(dialogue_id) + "air:last"


def overlay_hidden(dialogue_id: str) -> str:
    """Set while the producer has hidden the broadcast overlay."""
    return prefix(dialogue_id) + "overlay:hidden"


def handling(dialogue_id: str) -> str:
    """Who is handling which question in the console: hash question id ->
    {by, until} (lapsed claims are dropped when read)."""
    return prefix(dialogue_id) + "handling"


def notices(dialogue_id: str) -> str:
    """Stream of questions whose askers have news (consumer group ``notify``)."""
    return prefix(dialogue_id) + "notify"


def notice_dead_letters(dialogue_id: str) -> str:
    return prefix(dialogue_id) + "notify:dead"


def notice_failures(dialogue_id: str) -> str:
    """Hash notify entry id -> why its last attempt failed (no personal data)."""
    return prefix(dialogue_id) + "notify:failed"


def notified(dialogue_id: str) -> str:
    """Hash ``<question id>:<channel>`` -> when that asker was told that way."""
    return prefix(dialogue_id) + "notified"


def notice_lock(dialogue_id: str, delivery: str) -> str:
    """Held while one attempt delivers ``<question id>:<channel>``."""
    return prefix(dialogue_id) + f"notify:lock:{delivery}"


def ready_probe(node: str) -> str:
    """Written (and left to expire) by ``/readyz`` to see that Redis takes writes."""
    return f"doithoai:ready:{node}"
