"""Publishing as a workflow: selections of the registry, cross-posting, the regional cascade.

* `Selection`: pages of the registry picked the way people name them
  (``Selection.parse("level=поселение parent=ensk platform=vk,ok").pages(registry)``);
* `cross_post`: one post to every page of a selection, checked everywhere before anything
  is sent, then published concurrently within every token's limit;
* `Cascade` and `cascade`: a regional post carried down to municipal pages as one item,
  repeatable (only pages still missing it are published).
"""

from ._crosspost import (
    Cascade,
    CascadeTarget,
    CrossPostResult,
    PageOutcome,
    Send,
    TargetStatus,
    cascade,
    cross_post,
    target_key,
)
from ._selection import Selection, SelectionError

__all__ = [
    "Cascade",
    "CascadeTarget",
    "CrossPostResult",
    "PageOutcome",
    "Selection",
    "SelectionError",
    "Send",
    "TargetStatus",
    "cascade",
    "cross_post",
    "target_key",
]
