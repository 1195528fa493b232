"""The registry of official pages: organisations in a hierarchy and their pages.

`load_registry` and `save_registry` read and write it as YAML, CSV or XLSX.
"""

from ._io import (
    RegistryError,
    RegistryProblem,
    RegistryReport,
    RegistryWarning,
    load_registry,
    load_registry_report,
    registry_from_rows,
    registry_to_rows,
    save_registry,
)
from ._model import Organization, OrgKind, OrgLevel, PageRef, Registry

__all__ = [
    "OrgKind",
    "OrgLevel",
    "Organization",
    "PageRef",
    "Registry",
    "RegistryError",
    "RegistryProblem",
    "RegistryReport",
    "RegistryWarning",
    "load_registry",
    "load_registry_report",
    "registry_from_rows",
    "registry_to_rows",
    "save_registry",
]
