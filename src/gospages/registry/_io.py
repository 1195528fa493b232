"""Reading and writing the registry of pages (реестр аккаунтов): YAML, CSV and XLSX.

Tables (CSV, XLSX) hold one row per page, or one row for an organisation without a page;
an organisation with several pages spans several rows with the same id. YAML is nested:
``organizations:`` with their ``pages:``, hierarchy by ``parent:`` ids or ``children:``
lists. Tables and YAML are read into the same drafts and checked by the same code, and
every problem of a file is reported at once in one :class:`RegistryError`, in Russian,
where the user will look for it: the row as Excel shows it and the column, or the line
and the path in YAML.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ._common import RegistryError, RegistryProblem, RegistryWarning, _fail
from ._model import Registry
from ._tables import (
    _csv_records,
    _from_rows,
    _read_text,
    _table,
    _warn,
    _write_csv,
    _write_xlsx,
    _xlsx_records,
    registry_from_rows,
    registry_to_rows,
)
from ._yaml import _registry_from_yaml, _registry_to_yaml

__all__ = [
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

# -- files -----------------------------------------------------------------------------------

_FORMATS = {".yaml": "yaml", ".yml": "yaml", ".csv": "csv", ".xlsx": "xlsx"}


def _format(path: Path) -> str:
    fmt = _FORMATS.get(path.suffix.lower(), path.suffix.lower())
    if fmt not in _FORMATS.values():
        hint = " Сохраните таблицу в Excel как «Книга Excel (*.xlsx)»." if fmt == ".xls" else ""
        message = f"неизвестный формат «{path.suffix}»: нужен .yaml, .yml, .csv или .xlsx."
        raise _fail(str(path), message + hint)
    return fmt


@dataclass(frozen=True)
class RegistryReport:
    """A registry as read from a file, with what was not used.

    Attributes:
        source: the file.
        registry: the registry.
        warnings: what was read but not used, e.g. columns gospages does not know
            («столбец не используется»), with rows and columns, in Russian.
    """

    source: str
    registry: Registry
    warnings: list[RegistryProblem] = field(default_factory=list)


def load_registry_report(path: str | os.PathLike[str]) -> RegistryReport:
    """:func:`load_registry` that returns its warnings instead of issuing them.

    Raises:
        RegistryError: as :func:`load_registry`; its ``warnings`` hold the unused columns,
            which often explain the errors.
        OSError: the file cannot be read.
    """
    path = Path(path)
    fmt = _format(path)
    if fmt == "yaml":
        return RegistryReport(str(path), _registry_from_yaml(_read_text(path), str(path)))
    records = _csv_records(path) if fmt == "csv" else _xlsx_records(path)
    header_row, headers, rows, notices = _table(records, str(path))
    registry, warnings = _from_rows(
        rows, source=str(path), header_row=header_row, headers=headers, notices=notices
    )
    return RegistryReport(str(path), registry, warnings)


def load_registry(path: str | os.PathLike[str]) -> Registry:
    """Read a registry from ``.yaml``/``.yml``, ``.csv`` or ``.xlsx`` (by the suffix).

    CSV may be UTF-8 (with or without Excel's BOM), UTF-16 with a BOM or Windows-1251,
    with ``,``, ``;`` or tabs between cells. A table's header may sit under title rows;
    XLSX is read from the sheet «Реестр», else the first sheet with a header row. Files
    over 16 MB (an XLSX unpacking to over 128 MB) are refused, and so are YAML anchors
    and aliases (``&``, ``*``: ten lines of them expand to gigabytes).

    Column headers may be the usual synonyms («Ссылка на страницу», «Адрес аккаунта»,
    «Соц. сеть»); a column that is not used is a :class:`RegistryWarning` naming it
    (:func:`load_registry_report` returns them instead). In XLSX, a hyperlink behind
    display text («ВКонтакте») gives the page; «—», «-», «нет», «отсутствует» are empty
    cells; numbers are read as Excel stores them, and an id Excel has rounded is an error
    that says so.

    Raises:
        RegistryError: every problem of the file, with rows and columns (YAML: lines and
            paths), in Russian.
        OSError: the file cannot be read.
    """
    report = load_registry_report(path)
    _warn(report.source, report.warnings)
    return report.registry


def save_registry(registry: Registry, path: str | os.PathLike[str]) -> None:
    """Write ``registry`` as ``.yaml``/``.yml``, ``.csv`` or ``.xlsx`` (by the suffix).

    YAML: ``organizations:`` with English keys and values, hierarchy by ``parent``. CSV:
    UTF-8 with BOM and ``;``, as Russian Excel opens it. XLSX: the sheet «Реестр» with a
    bold frozen header. Tables have Russian headers and values.
    """
    path = Path(path)
    fmt = _format(path)
    if fmt == "yaml":
        path.write_text(_registry_to_yaml(registry), encoding="utf-8")
    elif fmt == "csv":
        _write_csv(registry_to_rows(registry), path)
    else:
        _write_xlsx(registry_to_rows(registry), path)
