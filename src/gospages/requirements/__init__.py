"""8-ФЗ, 2523-р and regional policies as validators, and audits of whole fleets of pages."""

from ._model import (
    AuditReport,
    CommentStats,
    Finding,
    PageAudit,
    PageSnapshot,
    RuleStatus,
    Severity,
    TrafficLightScore,
)

__all__ = [
    "AuditReport",
    "CommentStats",
    "Finding",
    "PageAudit",
    "PageSnapshot",
    "RuleStatus",
    "Severity",
    "TrafficLightScore",
]
