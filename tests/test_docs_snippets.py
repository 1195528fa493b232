"""Every Python and TOML snippet of the docs runs, so a copied snippet works.

* ``toml`` blocks are parsed; a block that is not a ``pyproject.toml`` excerpt is a policy
  and is loaded with :func:`gospages.requirements.load_policy`, so a policy that fails
  validation fails here.
* ``python`` blocks of one page run top to bottom in one fresh namespace (a page reads as
  one session: a later block may use what an earlier one made), with the current folder a
  temporary one, no ``GOSPAGES_*`` variables and no network beyond the loopback. Top-level
  ``await`` / ``async for`` / ``async with`` run as in ``python -m asyncio``; a block that
  defines ``async def main()`` without calling it has ``main()`` run after it.
* Blocks that define pytest tests (``def test_…`` / ``class Test…``) are written, page by
  page, into test modules and run with pytest in one subprocess, under the
  ``[tool.pytest.ini_options]`` that docs/testing.md tells users to set.
* A block preceded by ``<!-- not-run: причина -->`` is not run (only compiled); the reason
  is required. Keep those few: each needs real keys, a person or the user's own code.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import logging
import os
import re
import socket
import subprocess
import sys
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

import gospages
from gospages.requirements import load_policy

ROOT = Path(__file__).resolve().parent.parent
PAGES = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]
FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
NOT_RUN = re.compile(r"<!--\s*not-run:\s*(?P<reason>\S.*?)\s*-->")
FILE = re.compile(r"<!--\s*file:\s*(?P<name>[^\s/\\]+)\s*-->")
LOOPBACK = {"localhost", "127.0.0.1", "::1", "", None}


@dataclass
class Block:
    page: Path
    line: int  # of the opening fence, 1-based
    lang: str
    code: str
    not_run: str | None
    file: str | None = None  # ``<!-- file: name -->``: the page's code reads it under this name

    @property
    def where(self) -> str:
        page = self.page.relative_to(ROOT) if self.page.is_relative_to(ROOT) else self.page.name
        return f"{page}:{self.line}"

    def is_pytest(self) -> bool:
        tree = ast.parse(self.code)
        return any(
            (
                isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                and node.name.startswith("test_")
            )
            or (isinstance(node, ast.ClassDef) and node.name.startswith("Test"))
            for node in tree.body
        )


def blocks(page: Path) -> list[Block]:
    """The fenced blocks of a Markdown page, with the marker before each."""
    found: list[Block] = []
    lines = page.read_text(encoding="utf-8").splitlines()
    i = 0
    previous = ""
    while i < len(lines):
        match = FENCE.match(lines[i])
        if not match:
            if lines[i].strip():
                previous = lines[i].strip()
            i += 1
            continue
        fence, indent = match["fence"], len(match["indent"])
        lang = match["info"].strip().split(" ")[0].lower()
        start = i
        body: list[str] = []
        i += 1
        while i < len(lines) and not lines[i].strip().startswith(fence):
            line = lines[i]
            body.append(line[indent:] if not line[:indent].strip() else line.lstrip())
            i += 1
        i += 1
        marker = NOT_RUN.search(previous)
        named = FILE.search(previous)
        code = "\n".join(body) + "\n"
        reason = marker["reason"] if marker else None
        found.append(Block(page, start + 1, lang, code, reason, named["name"] if named else None))
        previous = ""
    return found


ALL = [block for page in PAGES for block in blocks(page)]
PYTHON = [b for b in ALL if b.lang in ("python", "py")]
TOML = [b for b in ALL if b.lang == "toml"]


def test_the_docs_have_snippets_and_few_are_not_run() -> None:
    assert len(PYTHON) > 50 and len(TOML) >= 3
    not_run = [b for b in PYTHON if b.not_run]
    # Each one is a block that needs real keys or a person; do not let the list grow.
    assert len(not_run) <= 10, [b.where for b in not_run]


def test_the_not_run_marker_is_only_on_code() -> None:
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        found = blocks(page)
        assert len(NOT_RUN.findall(text)) == sum(1 for b in found if b.not_run), page.name
        assert len(FILE.findall(text)) == sum(1 for b in found if b.file), page.name


# ---------------------------------------------------------------------------- TOML


@pytest.mark.parametrize("block", TOML, ids=[b.where for b in TOML])
def test_toml_snippet_parses_and_policies_load(block: Block, tmp_path: Path) -> None:
    data = tomllib.loads(block.code)
    if "tool" in data or "project" in data:  # an excerpt of pyproject.toml
        return
    path = tmp_path / "policy.toml"
    path.write_text(block.code, encoding="utf-8")
    load_policy(path)


# ---------------------------------------------------------------------------- Python


@pytest.fixture
def sandboxed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary folder as the current one, no GOSPAGES_* variables, no outside network."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("GOSPAGES_"):
            monkeypatch.delenv(name)
    real = socket.getaddrinfo

    def loopback_only(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in LOOPBACK:
            raise OSError(f"сеть в примерах документации закрыта: {host}")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", loopback_only)
    # A snippet may set up logging (docs/vk-tokens.md): give the root logger back after it.
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", list(root.handlers))
    monkeypatch.setattr(root, "level", root.level)
    return tmp_path


def _calls_main(tree: ast.Module) -> bool:
    return any(
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "main"
        for node in ast.walk(tree)
    )


def _defines_async_main(tree: ast.Module) -> bool:
    return any(isinstance(n, ast.AsyncFunctionDef) and n.name == "main" for n in tree.body)


def write_named_files(page: Path) -> None:
    """Data blocks the page's code reads: ``<!-- file: name -->`` before a block, or a
    ``toml`` block whose first line is ``# name.toml``."""
    for block in ALL:
        if block.page == page and block.file:
            Path(block.file).write_text(block.code, encoding="utf-8")
    for block in TOML:
        first = block.code.splitlines()[0] if block.code.strip() else ""
        if block.page == page and re.fullmatch(r"#\s*[\w.-]+\.toml", first.strip()):
            Path(first.lstrip("# ").strip()).write_text(block.code, encoding="utf-8")


def run_page(page_blocks: list[Block]) -> None:
    """Run the blocks of one page in order, in one namespace and one event loop."""
    module = types.ModuleType("docs_snippet")
    sys.modules[module.__name__] = module
    loop = asyncio.new_event_loop()
    try:
        for block in page_blocks:
            flags = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
            code = compile(block.code, block.where, "exec", flags=flags)
            if block.not_run:
                continue
            try:
                if code.co_flags & inspect.CO_COROUTINE:
                    loop.run_until_complete(eval(code, module.__dict__))  # noqa: S307
                else:
                    exec(code, module.__dict__)  # noqa: S102
                tree = ast.parse(block.code)
                if _defines_async_main(tree) and not _calls_main(tree):
                    loop.run_until_complete(module.__dict__["main"]())
            except BaseException as error:
                raise AssertionError(
                    f"пример {block.where} не работает: {type(error).__name__}: {error}"
                ) from error
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
        asyncio.set_event_loop(None)
        del sys.modules[module.__name__]


PAGES_WITH_PYTHON = [p for p in PAGES if any(b.page == p for b in PYTHON)]


@pytest.mark.parametrize("page", PAGES_WITH_PYTHON, ids=[p.name for p in PAGES_WITH_PYTHON])
@pytest.mark.usefixtures("sandboxed")
def test_python_snippets_of_a_page_run(page: Path) -> None:
    write_named_files(page)
    run_page([b for b in PYTHON if b.page == page and not b.is_pytest()])


def _pytest_settings() -> str:
    """The pytest settings docs/testing.md shows (a pyproject.toml excerpt)."""
    for block in TOML:
        if block.page.name == "testing.md" and "tool" in tomllib.loads(block.code):
            return block.code
    raise AssertionError("docs/testing.md не показывает настройки pytest (asyncio_mode)")


@pytest.mark.usefixtures("sandboxed")
def test_pytest_examples_pass_under_the_documented_settings(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(_pytest_settings(), encoding="utf-8")
    wanted = 0
    for page in PAGES:
        tests = [b for b in PYTHON if b.page == page and b.is_pytest()]
        runnable = [b for b in tests if not b.not_run]
        if not runnable:
            continue
        source = "\n\n".join(f"# {b.where}\n{b.code}" for b in runnable)
        (tmp_path / f"test_doc_{page.stem.replace('-', '_')}.py").write_text(
            source, encoding="utf-8"
        )
        wanted += sum(
            1
            for b in runnable
            for node in ast.walk(ast.parse(b.code))
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node.name.startswith("test_")
        )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GOSPAGES_", "PYTEST_"))}
    src = str(Path(gospages.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join([src, env.get("PYTHONPATH", "")])
    # Only the plugins the examples use (pytest-asyncio, pytest-httpx, gospages' fixtures):
    # loading every installed plugin would take most of this test's time.
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    plugins = ["pytest_asyncio.plugin", "pytest_httpx", "gospages.testing.pytest_plugin"]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-W",
            "error",
            *(arg for plugin in plugins for arg in ("-p", plugin)),
            str(tmp_path),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert f"{wanted} passed" in output, output


def test_the_harness_catches_a_broken_snippet(tmp_path: Path) -> None:
    page = tmp_path / "broken.md"
    page.write_text(
        "```python\nx = 1\n```\n\n<!-- not-run: нужны настоящие ключи -->\n"
        "```python\nraise RuntimeError('skipped')\n```\n\n"
        "```python\nasync def main() -> None:\n    raise ValueError(x)\n```\n",
        encoding="utf-8",
    )
    found = blocks(page)
    assert [b.not_run for b in found] == [None, "нужны настоящие ключи", None]
    with pytest.raises(AssertionError, match=r"broken.md:10 .*ValueError: 1"):
        run_page(found)


def test_docs_and_rule_sources_name_acts_not_internal_document_numbers() -> None:
    internal = re.compile(r"\bseeds? 0\d\d", re.IGNORECASE)
    requirements = ROOT / "src" / "gospages" / "requirements"
    files = [*PAGES, *requirements.rglob("*.py"), *requirements.rglob("*.toml")]
    found = [
        f"{path.relative_to(ROOT)}: {match.group()}"
        for path in files
        for match in internal.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not found
