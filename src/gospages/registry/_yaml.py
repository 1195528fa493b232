"""The registry in YAML: organisations with their pages, nested by parent or children."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from ._common import (
    _ALIASES,
    _LISTS,
    _ORG_FIELDS,
    _PAGE_FIELDS,
    _RUSSIAN,
    _TOP,
    RegistryProblem,
    _assemble,
    _At,
    _fail,
    _norm,
    _OrgDraft,
    _page,
    _Place,
)
from ._model import Registry
from ._tables import _text

__all__ = []

# -- YAML ------------------------------------------------------------------------------------

_YAML_HEADER = """\
# Реестр официальных страниц (gospages). Формат: https://gospages.readthedocs.io, «Реестр страниц»
# kind: state_body (орган власти), local_government (ОМСУ), subordinate (подведомственная)
# level: region (регион), district (район), settlement (поселение), institution (учреждение)
# platform: vk (ВКонтакте), ok (Одноклассники), telegram (Telegram)
"""


class _Dumper(yaml.SafeDumper):
    """Lists indented under their key, as people write YAML by hand."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


#: Deeper nesting than this is not a registry (each level of ``children`` takes three).
_MAX_DEPTH = 100


class _RefusedYAML(yaml.MarkedYAMLError):
    """A construct the registry does not accept; ``problem`` is the Russian message."""


class _Loader(yaml.SafeLoader):
    """The safe loader without anchors and aliases (``&name``, ``*name``, ``<<: *name``):
    a registry needs none, and ten lines of nested aliases expand to gigabytes (the
    "billion laughs"). Nesting is bounded too, so that a hostile file fails fast."""

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _RefusedYAML(
                problem="якоря и ссылки YAML (&имя, *имя, <<:) в реестре не поддерживаются: "
                "повторите значения явно",
                problem_mark=event.start_mark,
            )
        if self._depth >= _MAX_DEPTH:
            raise _RefusedYAML(
                problem=f"вложенность глубже {_MAX_DEPTH} уровней: это не реестр",
                problem_mark=event.start_mark,
            )
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _YamlReader:
    """YAML nodes to plain values, remembering the line of every path."""

    def __init__(self, source: str, problems: list[RegistryProblem]) -> None:
        self.source = source
        self.problems = problems
        self.lines: dict[str, int] = {}
        self._constructor = SafeConstructor()

    def load(self, text: str) -> Any:
        try:
            node = yaml.compose(text, Loader=_Loader)
        except yaml.MarkedYAMLError as exc:
            row = exc.problem_mark.line + 1 if exc.problem_mark else None
            raise _fail(self.source, f"ошибка разметки YAML: {exc.problem or exc}", row) from None
        except yaml.YAMLError as exc:
            raise _fail(self.source, f"ошибка разметки YAML: {exc}") from None
        if node is None:
            raise _fail(self.source, "файл пуст: нет ни одной организации")
        return self._value(node, "")

    def _value(self, node: yaml.Node, path: str) -> Any:
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = str(self._constructor.construct_object(key_node))
                sub = f"{path}.{key}" if path else key
                if key in out:
                    line = key_node.start_mark.line + 1
                    self.problems.append(RegistryProblem(line, key, "ключ повторяется", sub))
                out[key] = self._value(value_node, sub)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self._value(item, f"{path}[{i}]") for i, item in enumerate(node.value)]
        return self._constructor.construct_object(node)

    def place(self, path: str, key: str | None = None) -> _Place:
        sub = path if key is None else f"{path}.{key}"
        return _Place(self.lines.get(sub, self.lines.get(path)), key, sub)

    def _whole(self, path: str) -> _At:
        return lambda name: self.place(path)

    def fields(
        self, item: Mapping[str, Any], path: str, allowed: Sequence[str]
    ) -> tuple[dict[str, str], dict[str, tuple[str, Any]], _At, set[str]]:
        """``(cells, lists, at, bad)``: scalar fields, lists, their places, non-text fields."""
        cells: dict[str, str] = {}
        bad: set[str] = set()
        lists: dict[str, tuple[str, Any]] = {}
        written: dict[str, str] = {}
        for key, value in item.items():
            name = _ALIASES.get(_norm(key)) or _LISTS.get(_norm(key))
            if name is None or name not in allowed:
                russian = [_RUSSIAN[n] for n in allowed if _RUSSIAN[n] != n]
                self.problems.append(
                    self.place(path, key).problem(
                        f"неизвестный ключ; допустимо: {', '.join(allowed)} "
                        f"(или {', '.join(russian)})"
                    )
                )
                continue
            if name in written:
                self.problems.append(
                    self.place(path, key).problem(f"то же поле, что и «{written[name]}»")
                )
                continue
            written[name] = key
            if name in _LISTS.values():
                lists[name] = (f"{path}.{key}", [] if value is None else value)
            elif value is None:
                continue
            elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
                if text := _text(value):
                    cells[name] = text
            elif isinstance(value, bool) and name == "verified":
                cells[name] = "да" if value else "нет"
            else:
                self.problems.append(self.place(path, key).problem("ожидается текст"))
                bad.add(name)

        def at(name: str) -> _Place:
            return self.place(path, written.get(name, name))

        return cells, lists, at, bad

    def organizations(
        self, items: Any, path: str, parent: str | None, drafts: list[_OrgDraft]
    ) -> None:
        if not isinstance(items, list):
            self.problems.append(self.place(path).problem("ожидается список организаций"))
            return
        allowed = (*_ORG_FIELDS, "pages", "children")
        for i, item in enumerate(items):
            org_path = f"{path}[{i}]"
            if not isinstance(item, dict):
                self.problems.append(
                    self.place(org_path).problem("ожидается организация: id, name, kind, level ...")
                )
                continue
            cells, lists, at, bad = self.fields(item, org_path, allowed)
            if parent is not None:
                stated = cells.setdefault("parent", parent)
                if stated != parent:
                    self.problems.append(
                        at("parent").problem(
                            f"«{stated}» расходится с организацией, в children которой "
                            f"вложена эта («{parent}»)"
                        )
                    )
            draft = _OrgDraft(origin=self.place(org_path), at=at, bad=bad)
            draft.absorb(cells, at, self.problems)
            drafts.append(draft)
            pages_path, pages = lists.get("pages", ("", []))
            self._pages(pages, pages_path, draft)
            if "children" in lists:
                children_path, children = lists["children"]
                self.organizations(children, children_path, cells.get("id"), drafts)

    def _pages(self, pages: Any, path: str, draft: _OrgDraft) -> None:
        if not isinstance(pages, list):
            self.problems.append(self.place(path).problem("ожидается список страниц"))
            return
        for j, item in enumerate(pages):
            page_path = f"{path}[{j}]"
            if isinstance(item, str):  # a bare address: "https://vk.com/adm_ensk"
                cells, at = {"page": item.strip()}, self._whole(page_path)
            elif isinstance(item, dict):
                cells, _, at, bad = self.fields(item, page_path, _PAGE_FIELDS)
                if bad:
                    continue
            else:
                self.problems.append(
                    self.place(page_path).problem("ожидается страница: platform, page, url ...")
                )
                continue
            ref = _page(cells, at, self.problems)
            if ref is not None:
                draft.pages.append((ref, self.place(page_path)))


def _registry_from_yaml(text: str, source: str) -> Registry:
    problems: list[RegistryProblem] = []
    reader = _YamlReader(source, problems)
    document = reader.load(text)
    drafts: list[_OrgDraft] = []
    keys = [key for key in document if key in _TOP] if isinstance(document, dict) else []
    if not isinstance(document, dict) or len(keys) != 1 or len(document) != 1:
        raise _fail(source, "ожидается один ключ верхнего уровня: organizations (или организации)")
    reader.organizations(document[keys[0]], keys[0], None, drafts)
    return _assemble(source, drafts, problems)


def _registry_to_yaml(registry: Registry) -> str:
    organizations = []
    for org in registry.organizations:
        data: dict[str, Any] = {
            "id": org.id,
            "name": org.name,
            "kind": org.kind.value,
            "level": org.level.value,
        }
        if org.parent is not None:
            data["parent"] = org.parent
        data["pages"] = [page.model_dump(mode="json", exclude_none=True) for page in org.pages]
        organizations.append(data)
    body = yaml.dump(
        {"organizations": organizations},
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=100,
    )
    return _YAML_HEADER + body
