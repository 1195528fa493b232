"""8-ФЗ, 2523-р and regional policies as validators, and audits of whole fleets of pages.

* :class:`PageSnapshot`: what the rules read, captured once from a page
  (``await PageSnapshot.capture(page, days=28)``) or built from your own data;
* :func:`audit_page` runs every rule of :data:`RULES` over a snapshot under a
  :class:`Policy` (:func:`load_policy`: a preset or your TOML file) and returns
  :class:`Finding` objects traced to the act they come from;
* :func:`audit_registry` does it for every page of a registry, concurrently within the
  platforms' limits, and adds organisations without pages (a :class:`HistoryStore`,
  e.g. :class:`gospages.reports.AuditHistory`, keeps the trend); :func:`traffic_light`
  scores a page as regional monitoring does;
* :func:`check_post` looks at a post before it is published.
"""

from .._deprecation import moved_names as _moved_names
from ._audit import (
    HistoryStore,
    PageResult,
    PageResultStore,
    audit_registry,
    missing_pages,
    run_key,
)
from ._capture import capture_snapshot, comment_stats, traffic_light
from ._check_post import check_post
from ._contacts import (
    Contacts,
    SiteInfo,
    classify_site,
    find_addresses,
    find_emails,
    find_phones,
    profile_contacts,
)
from ._fleet import capture_pages
from ._model import (
    AuditReport,
    CommentStats,
    CompactPages,
    Finding,
    PageAudit,
    PageSnapshot,
    RuleStatus,
    Severity,
    TrafficLightScore,
)
from ._policy import PRESETS, Policy, load_policy
from ._rules import RULES, Rule, audit_page
from ._site import site_lists_pages

__all__ = [
    "PRESETS",
    "RULES",
    "AuditReport",
    "CommentStats",
    "CompactPages",
    "Contacts",
    "Finding",
    "HistoryStore",
    "PageAudit",
    "PageResult",
    "PageResultStore",
    "PageSnapshot",
    "Policy",
    "Rule",
    "RuleStatus",
    "Severity",
    "SiteInfo",
    "TrafficLightScore",
    "audit_page",
    "audit_registry",
    "capture_pages",
    "capture_snapshot",
    "check_post",
    "classify_site",
    "comment_stats",
    "find_addresses",
    "find_emails",
    "find_phones",
    "load_policy",
    "missing_pages",
    "profile_contacts",
    "run_key",
    "site_lists_pages",
    "traffic_light",
]

# Moved: the rules layer neither opens pages nor writes reports.
__getattr__ = _moved_names(
    __name__,
    {
        "AuditHistory": (
            "gospages.reports:AuditHistory",
            "используйте gospages.reports.AuditHistory",
        ),
        "pages_from_env": (
            "gospages._factory:pages_from_env",
            "используйте gospages.PageFactory()",
        ),
    },
)
