from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import gospages

PUBLIC_MODULES = [
    "gospages",
    "gospages.moderation",
    "gospages.ok",
    "gospages.planning",
    "gospages.registry",
    "gospages.reports",
    "gospages.requirements",
    "gospages.sync",
    "gospages.telegram",
    "gospages.testing",
    "gospages.testing.contract",
    "gospages.vk",
]


def _sort_key(name: str) -> tuple[int, str]:
    # isort-style, as ruff's RUF022 keeps it: CONSTANTS, then Classes, then functions.
    kind = 0 if name.isupper() else 1 if name[:1].isupper() else 2
    return kind, name


def _ours(module: ModuleType, node: ast.ImportFrom) -> bool:
    """An import from gospages itself (relative, or absolute ``gospages...``)."""
    return node.level > 0 or (node.module or "").split(".")[0] == "gospages"


def _defined_names(module: ModuleType) -> set[str]:
    """Public names the module's source binds at top level (also under ``if``):
    classes, functions, constants and names imported from gospages itself, but not
    names imported from the standard library or third parties."""
    assert module.__file__
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    names: set[str] = set()
    # A package re-exports what it imports from its private modules; a plain module
    # (gospages.sync, gospages.testing.contract) only what it defines.
    package = hasattr(module, "__path__")

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                names.add(node.target.id)
            elif isinstance(node, ast.ImportFrom) and package and _ours(module, node):
                names.update(a.asname or a.name for a in node.names)
            elif isinstance(node, ast.If | ast.Try):
                visit(node.body)
                visit(node.orelse)
                for handler in getattr(node, "handlers", []):
                    visit(handler.body)

    visit(tree.body)
    return {n for n in names if not n.startswith("_") and n != "__getattr__"}


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_all_is_sorted_complete_and_public(name: str) -> None:
    module = importlib.import_module(name)
    exported = list(module.__all__)

    assert exported == sorted(exported, key=_sort_key), "__all__ is sorted (RUF022)"
    assert len(set(exported)) == len(exported), "no name twice"
    private = [n for n in exported if n.startswith("_") and n != "__version__"]
    assert not private, f"private names in __all__: {private}"
    for entry in exported:
        assert hasattr(module, entry), f"{name}.{entry} in __all__ does not resolve"

    public = set()
    for attr in _defined_names(module):
        value = getattr(module, attr, None)
        if isinstance(value, ModuleType):
            continue
        public.add(attr)
    # What a module holds at run time: everything made in gospages counts as well.
    for attr, value in vars(module).items():
        if attr.startswith("_") or isinstance(value, ModuleType):
            continue
        home = getattr(value, "__module__", None) or ""
        if home == name or (hasattr(module, "__path__") and home.startswith("gospages")):
            public.add(attr)
    missing = sorted(public - set(exported))
    assert not missing, f"public names of {name} missing from __all__: {missing}"


@pytest.mark.parametrize(
    ("module", "name"),
    [("gospages.ok", "MSK"), ("gospages.ok", "sign"), ("gospages", "RateLimiter")],
)
def test_deprecated_aliases_still_work_and_warn(module: str, name: str) -> None:
    mod = importlib.import_module(module)
    assert name not in mod.__all__
    with pytest.warns(DeprecationWarning, match=name):
        value = getattr(mod, name)
    assert value is not None
    with pytest.raises(AttributeError):
        mod.no_such_name  # noqa: B018


def test_importing_gospages_testing_does_not_need_pytest() -> None:
    code = (
        "import sys; sys.modules['pytest'] = None; import gospages.testing; "
        "assert 'gospages.testing.contract' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_contract_names_are_public() -> None:
    for name in (
        "OfficialPage",
        "Post",
        "Photo",
        "Link",
        "Poll",
        "PublishedPost",
        "PostSummary",
        "Comment",
        "PageProfile",
        "Verification",
        "GospagesError",
        "AuthError",
        "PermissionDenied",
        "RateLimited",
        "CaptchaRequired",
        "NotFound",
        "ServerError",
        "ValidationError",
        "TokenTypeError",
    ):
        assert name in gospages.__all__


def test_every_error_is_a_gospages_error() -> None:
    for name in gospages.__all__:
        obj = getattr(gospages, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, gospages.GospagesError)


def test_py_typed_is_shipped() -> None:
    assert (Path(gospages.__file__).parent / "py.typed").exists()


def test_vk_page_is_an_official_page() -> None:
    from gospages.vk import VKPage

    assert issubclass(VKPage, gospages.OfficialPage)
