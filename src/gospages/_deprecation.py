"""Names that moved or went private: importable for one more release, with a warning."""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["moved_names"]


def moved_names(module: str, names: Mapping[str, tuple[str, str]]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for names that are deprecated.

    ``names`` maps an old name to ``("package.module:attribute", advice)``: where the value
    lives now (imported by name, so that a lower layer does not depend on a higher one) and
    what to use instead, in Russian.
    """

    def __getattr__(name: str) -> Any:
        if name not in names:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        target, advice = names[name]
        warnings.warn(
            f"{module}.{name} устарело и будет удалено в следующем выпуске: {advice}",
            DeprecationWarning,
            stacklevel=2,
        )
        where, _, attribute = target.partition(":")
        return getattr(importlib.import_module(where), attribute)

    return __getattr__
