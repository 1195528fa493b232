"""What the crash harnesses share (moderation_crash.py, journal_crash.py): a client
process forked paused from a preloaded forkserver, and the API method of a request.

The clients import gospages from a forkserver that has it loaded already (a fresh
interpreter would spend 0.6 s importing it for each of the dozens of runs); each client
is still a process of its own, killed with SIGKILL by the harness's fakes.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import httpx

Client = Callable[[list[str]], int]


def _child(client: Client, argv: list[str], env: dict[str, str], out: str, go: Any) -> None:
    """A client process: wait for the harness to arm its killer, then run ``client``."""
    os.environ.update(env)
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    go.wait()
    try:
        code = client(argv)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    sys.exit(code)


class Child:
    """``client(argv)`` in a process started paused (:meth:`go` lets it run), with the
    part of ``subprocess.Popen``'s interface the harnesses use. ``preload``: the modules
    the forkserver imports once (the harness's own module among them, by name)."""

    def __init__(
        self,
        client: Client,
        argv: list[str],
        env: dict[str, str],
        *,
        preload: Sequence[str],
        name: str = "client",
    ) -> None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(list(preload))
        handle, self._out = tempfile.mkstemp(prefix=f"gospages-{name}-", suffix=".log")
        os.close(handle)
        self._name = name
        self._go = context.Event()
        self._process = context.Process(
            target=_child, args=(client, argv, env, self._out, self._go), daemon=True
        )
        self._process.start()

    @property
    def pid(self) -> int:
        assert self._process.pid is not None
        return self._process.pid

    def go(self) -> Child:
        self._go.set()
        return self

    def poll(self) -> int | None:
        return None if self._process.is_alive() else self._process.exitcode

    @property
    def returncode(self) -> int | None:
        return self._process.exitcode

    def kill(self) -> None:
        self._process.kill()

    def communicate(self, timeout: float | None = None) -> tuple[str, str]:
        """Wait for the process; ``(its output, "")`` (stderr goes to the same file)."""
        self._process.join(timeout)
        if self._process.is_alive():
            raise subprocess.TimeoutExpired(self._name, timeout or 0)
        try:
            return Path(self._out).read_text(encoding="utf-8", errors="replace"), ""
        finally:
            Path(self._out).unlink(missing_ok=True)

    def finish(self, timeout: float = 120) -> tuple[int, str]:
        """Wait for the process (killed after ``timeout``): ``(exit code, its output)``."""
        self._process.join(timeout)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
            raise subprocess.TimeoutExpired(self._name, timeout)
        out, _ = self.communicate()
        assert self._process.exitcode is not None
        return self._process.exitcode, out


def method_of(request: httpx.Request) -> str:
    """The API method a request to a fake calls (VK ``/method/X``, OK's ``method=``)."""
    path = request.url.path
    if "/method/" in path:
        return path.rsplit("/", 1)[-1]
    body = request.content.decode("utf-8", "replace")
    params = dict(httpx.QueryParams(body)) | dict(request.url.params)
    return str(params.get("method", path))


def served_factory(vk: str, ok: str) -> Any:
    """A `PageFactory` for the served fakes, with the keys the harness puts in the
    environment (``GOSPAGES_*``) and limits that leave the pace to the fakes."""
    from gospages import PageFactory, Platform, Settings
    from gospages.vk import VKLimits

    env = os.environ
    settings = Settings.only(
        vk_user_token=env["GOSPAGES_VK_USER_TOKEN"],
        vk_service_token=env["GOSPAGES_VK_SERVICE_TOKEN"],
        ok_application_key=env["GOSPAGES_OK_APPLICATION_KEY"],
        ok_application_secret_key=env["GOSPAGES_OK_APPLICATION_SECRET_KEY"],
        ok_access_token=env["GOSPAGES_OK_ACCESS_TOKEN"],
        ok_requests_per_second=1000,
    )
    return PageFactory(
        settings,
        options={
            Platform.VK: {"api_url": f"{vk}/method", "limits": VKLimits(user=1000, service=1000)},
            Platform.OK: {"api_url": f"{ok}/fb.do"},
        },
    )


def page_refs(pages: Sequence[str]) -> list[Any]:
    """``platform:page`` arguments as registry references."""
    from gospages import Platform
    from gospages.registry import PageRef

    refs = []
    for item in pages:
        platform, page = item.split(":", 1)
        refs.append(PageRef(platform=Platform(platform), page=page))
    return refs
