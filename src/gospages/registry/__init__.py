"""The registry of official pages: organisations in a hierarchy and their pages."""

from ._model import Organization, OrgKind, OrgLevel, PageRef, Registry

__all__ = ["OrgKind", "OrgLevel", "Organization", "PageRef", "Registry"]
