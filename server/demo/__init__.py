"""``doithoai demo``: the demo dialogue (``data.py``), its seeding through the
app's own actions (``seed.py``) and the portal page that embeds the widget
from an origin of its own (``portal.py``). Nothing here runs on a node
started with ``doithoai serve``."""
