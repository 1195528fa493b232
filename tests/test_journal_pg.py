"""The journal in a real PostgreSQL server: a throwaway cluster (initdb into a temporary
directory, a unix socket there, no TCP), started when the server's binaries are found
(``GOSPAGES_TEST_PG_BIN``, PATH, /usr/lib/postgresql/*/bin); skipped otherwise, except
under ``CI_REQUIRE_POSTGRES=1`` (set by .ci/run), where a missing server fails."""

from __future__ import annotations

import asyncio
import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from gospages import Platform, Post
from gospages.planning import EntryState, open_journal
from gospages.registry import PageRef

from ._journal_support import counted, drain, publish_many, refs, region, text_of


def _bin_dir() -> Path | None:
    candidates = [os.environ.get("GOSPAGES_TEST_PG_BIN", "")]
    found = shutil.which("initdb")
    if found:
        candidates.append(str(Path(found).parent))
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for candidate in candidates:
        if candidate and (Path(candidate) / "initdb").exists():
            return Path(candidate)
    return None


def _as_server_user() -> list[str]:
    """initdb and postgres refuse root: run them as ``nobody`` then."""
    if os.geteuid() != 0:
        return []
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", "nobody", "--"]
    return [
        shutil.which("setpriv") or "setpriv",
        "--reuid=nobody",
        "--regid=nogroup",
        "--clear-groups",
        "--",
    ]


@pytest.fixture(scope="module")
def pg_dsn() -> Iterator[str]:
    pytest.importorskip("psycopg") if os.environ.get("CI_REQUIRE_POSTGRES") != "1" else None
    bin_dir = _bin_dir()
    if bin_dir is None:
        if os.environ.get("CI_REQUIRE_POSTGRES") == "1":
            pytest.fail("CI_REQUIRE_POSTGRES=1, но initdb не найден (GOSPAGES_TEST_PG_BIN)")
        pytest.skip("PostgreSQL не установлен (initdb не найден)")
    base = Path(tempfile.mkdtemp(prefix="gospages-pg-"))
    data = base / "data"
    prefix = _as_server_user()
    if prefix:
        shutil.chown(base, user="nobody")
    try:
        subprocess.run(
            [
                *prefix,
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
            ],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [
                *prefix,
                str(bin_dir / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(base / "log"),
                "-w",
                "-o",
                f"-k {base} -c listen_addresses='' -F",
                "start",
            ],
            check=True,
            capture_output=True,
        )
        yield f"host={base} user=postgres dbname=postgres"
    finally:
        subprocess.run(
            [*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(base, ignore_errors=True)


def test_compare_and_set_and_states(pg_dsn: str) -> None:
    ref = PageRef(platform=Platform.VK, page="club1")
    with open_journal(pg_dsn) as first, open_journal(pg_dsn) as second:
        entry = first.plan("pg-k", ref, Post(text="Запись"))
        assert second.get("pg-k") == entry
        assert second.plan("pg-k", ref, Post(text="другая")).post.text == "Запись"
        mine = first.claim(entry, baseline=[])
        assert mine is not None and mine.state is EntryState.SENDING
        assert second.claim(entry, baseline=[]) is None  # the version moved on
        assert second.held_elsewhere(second.get("pg-k"))
        assert [e.key for e in second.entries(states=[EntryState.SENDING])] == ["pg-k"]
        assert first.counts()[EntryState.SENDING] == 1


def test_two_publishers_on_one_postgres_journal_send_each_entry_once(pg_dsn: str) -> None:
    scenario = region(faults=0.1)
    opener = scenario.opener()

    async def run() -> None:
        with open_journal(pg_dsn) as first, open_journal(pg_dsn) as second:
            opened = [{(r.platform, r.page): opener.open(r) for r in refs(scenario)} for _ in "ab"]
            await asyncio.gather(
                publish_many(first, scenario, opened[0], range(120), key=lambda i: f"twin-{i}"),
                publish_many(second, scenario, opened[1], range(120), key=lambda i: f"twin-{i}"),
            )
            await drain(first, opener.open, scenario.clock, total=120)
            for pages in opened:
                for page in pages.values():
                    await page.aclose()
            assert {e.holder for e in first.entries() if e.key.startswith("twin-")} == {
                first.holder,
                second.holder,
            }

    asyncio.run(run())
    texts = counted(scenario)
    assert [i for i in range(120) if texts[text_of(i)] != 1] == []
