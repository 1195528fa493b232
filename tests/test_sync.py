"""The sync facade: one background loop, also inside a running loop (Jupyter)."""

from __future__ import annotations

import abc
import ast
import asyncio
import collections.abc
import inspect
import subprocess
import sys
import textwrap
import threading
import typing
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from gospages import (
    OfficialPage,
    Operation,
    PermissionDenied,
    Platform,
    Post,
    PublishStatus,
    RetryPolicy,
    ValidationError,
)
from gospages import sync as gsync
from gospages.testing import SampleVK, sample_ok, sample_vk

from .conftest import FAST


def sync_page(sandbox: SampleVK) -> gsync.VKPage:
    return gsync.VKPage(
        sandbox.district,
        user_token=sandbox.user_token,
        service_token=sandbox.service_token,
        community_token=sandbox.community_token,
        http_client=sandbox.fake.client(),
        retry=RetryPolicy.none(),
        limits=FAST,
    )


def test_plain_script() -> None:
    sandbox = sample_vk(rate_limits=False)
    with sync_page(sandbox) as page:
        assert page.profile().name == "Администрация Энского района"
        week = datetime.now(timezone.utc) - timedelta(days=7)
        posts = list(page.posts(since=week))
        assert len(posts) == 3
        comments = list(page.comments(posts[0].id))
        assert any(c.parent_id for c in comments)
        receipt = page.publish(Post(text="Из синхронного скрипта"))
        assert receipt.status is PublishStatus.PUBLISHED
        answer = page.reply(comments[0], "Ответ")
        assert answer.parent_id == comments[0].id
        page.delete_comment(answer)
        assert page.capabilities().can("publish")
        assert page.page_id == "adm_ensk"


def test_breaking_out_of_an_iterator_closes_it() -> None:
    sandbox = sample_vk(rate_limits=False)
    with sync_page(sandbox) as page:
        for _post in page.posts():
            break
        assert len(sandbox.fake.calls_of("wall.get")) == 1
        assert page.verification().state.value == "confirmed"


def test_works_inside_a_running_loop_like_jupyter() -> None:
    sandbox = sample_vk(rate_limits=False)

    async def notebook_cell() -> str:
        # A notebook runs cells inside a loop; the sync API must still work there.
        with sync_page(sandbox) as page:
            return page.profile().name

    assert asyncio.run(notebook_cell()) == "Администрация Энского района"


def test_all_sync_pages_share_one_background_loop() -> None:
    sandbox = sample_vk(rate_limits=False)
    with sync_page(sandbox) as a, sync_page(sandbox) as b:
        a.profile()
        b.profile()
    threads = [t for t in threading.enumerate() if t.name == "gospages-loop"]
    assert len(threads) == 1


def test_calling_from_the_background_loop_is_a_clear_error() -> None:
    async def inside() -> None:
        gsync.run(asyncio.sleep(0))

    with pytest.raises(RuntimeError, match="асинхронный API"):
        gsync.run(inside())


# -- the facade is derived from OfficialPage, for every backend ---------------------------


def _interface() -> dict[str, object]:
    from gospages._sync import _public_members

    return _public_members(OfficialPage)


def test_every_official_page_method_is_on_the_sync_page_with_its_signature() -> None:
    members = _interface()
    assert {"profile", "posts", "comments", "ban", "aclose", "platform", "page_id"} <= set(members)
    for name, member in members.items():
        sync_name = "close" if name == "aclose" else name
        twin = getattr(gsync.SyncPage, sync_name, None)
        assert twin is not None, f"SyncPage.{sync_name} is missing"
        if isinstance(member, property):
            assert isinstance(twin, property), name
            continue
        assert callable(member)
        expected = inspect.signature(member, eval_str=True)
        got = inspect.signature(twin)
        assert got.parameters == expected.parameters, name
        returns = expected.return_annotation
        if typing.get_origin(returns) is collections.abc.AsyncIterator:
            returns = collections.abc.Iterator[typing.get_args(returns)[0]]  # type: ignore[misc]
        assert got.return_annotation == returns, name
        assert twin.__doc__ == member.__doc__


def _defs(node: ast.AST) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    return {
        n.name: n
        for n in ast.iter_child_nodes(node)
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and not n.name.startswith("_")
    }


def test_typed_stubs_agree_with_the_interface() -> None:
    # Type checkers see SyncPage's methods through stubs under TYPE_CHECKING; they must
    # say what the derived methods do: the same arguments, AsyncIterator -> Iterator.
    sync_cls = ast.parse(textwrap.dedent(inspect.getsource(gsync.SyncPage))).body[0]
    assert isinstance(sync_cls, ast.ClassDef)
    block = next(
        n for n in sync_cls.body if isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING"
    )
    stubs = _defs(block)
    interface: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
    annotated: dict[str, str] = {}
    for klass in reversed(OfficialPage.__mro__[:-1]):
        if not klass.__module__.startswith("gospages"):
            continue
        tree = ast.parse(textwrap.dedent(inspect.getsource(klass))).body[0]
        assert isinstance(tree, ast.ClassDef)
        # Classmethods (batch_key, read_many) work on many pages at once: async only.
        interface.update(
            {
                name: node
                for name, node in _defs(tree).items()
                if not any(ast.unparse(d) == "classmethod" for d in node.decorator_list)
            }
        )
        for n in tree.body:
            named = isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)
            if named and not n.target.id.startswith("_"):  # type: ignore[union-attr]
                annotated[n.target.id] = ast.unparse(n.annotation)
    for name, annotation in annotated.items():
        assert name in stubs, f"stub for {name} missing under TYPE_CHECKING"
        assert stubs[name].returns is not None
        assert ast.unparse(stubs[name].returns) == annotation
    for name, node in interface.items():
        sync_name = "close" if name == "aclose" else name
        assert sync_name in stubs, f"stub for {sync_name} missing under TYPE_CHECKING"
        stub = stubs[sync_name]
        assert not isinstance(stub, ast.AsyncFunctionDef), sync_name
        assert ast.unparse(stub.args) == ast.unparse(node.args), sync_name
        returns = ast.unparse(node.returns) if node.returns else "None"
        assert stub.returns is not None
        assert ast.unparse(stub.returns) == returns.replace("AsyncIterator[", "Iterator["), name


def test_a_method_added_to_the_interface_appears_with_no_edit() -> None:
    from gospages._sync import derive_sync_methods

    class Extended(OfficialPage, abc.ABC):
        async def pin(self, post_id: str, *, on: bool = True) -> str:
            """Pin a post."""
            return f"pinned {post_id} {on}"

        async def history(self) -> collections.abc.AsyncIterator[int]:
            for i in range(3):
                yield i

        def summary(self) -> str:
            return "plain"

    class Facade(gsync.SyncPage[Extended]):
        pass

    derive_sync_methods(Facade, Extended)
    facade = Facade.__new__(Facade)
    facade.aio = typing.cast(Extended, SimpleNamespace())
    for name in ("pin", "history", "summary"):
        setattr(facade.aio, name, getattr(Extended, name).__get__(facade.aio))
    assert facade.pin("7") == "pinned 7 True"  # type: ignore[attr-defined]
    assert list(facade.history()) == [0, 1, 2]  # type: ignore[attr-defined]
    assert facade.summary() == "plain"  # type: ignore[attr-defined]
    pin = Facade.pin  # type: ignore[attr-defined]
    assert str(inspect.signature(pin)) == "(self, post_id: str, *, on: bool = True) -> str"
    assert pin.__doc__ == "Pin a post."
    assert "Iterator[int]" in str(inspect.signature(Facade.history))  # type: ignore[attr-defined]


def test_ban_through_the_sync_vk_page() -> None:
    sandbox = sample_vk(rate_limits=False)
    until = datetime.now(timezone.utc) + timedelta(days=1)
    with sync_page(sandbox) as page:
        assert page.capabilities().can(Operation.BAN)
        page.ban("20002", until=until, reason="спам")
    call = sandbox.fake.calls_of("groups.ban")[-1]
    assert call.params["owner_id"] == "20002"


def test_sync_ok_page() -> None:
    sandbox = sample_ok()
    with gsync.OKPage(
        sandbox.group_id,
        application_key=sandbox.application_key,
        application_secret_key=sandbox.application_secret_key,
        access_token=sandbox.access_token,
        http_client=sandbox.fake.client(),
        retry=RetryPolicy.none(),
        requests_per_second=1000,
    ) as page:
        assert page.platform is Platform.OK
        assert page.page_id == sandbox.group_id
        assert page.profile().name == "Администрация Энского района"
        posts = list(page.posts())
        assert posts
        receipt = page.publish(Post(text="Из синхронного скрипта в ОК"))
        assert receipt.status is PublishStatus.PUBLISHED
        commented = next(p for p in posts if p.comments_count)
        comments = list(page.comments(commented.id))
        assert comments
        assert not page.capabilities().can(Operation.BAN)
        with pytest.raises(PermissionDenied):
            page.ban(comments[0].author_id or "1")


@pytest.mark.filterwarnings("ignore::gospages.telegram.ForeignServiceWarning")
def test_sync_telegram_channel() -> None:
    pytest.importorskip("telethon")
    from gospages.testing import FakeTelegram

    fake = FakeTelegram.sample()
    with gsync.TelegramChannel(FakeTelegram.SAMPLE_CHANNEL, client=fake) as channel:
        assert channel.platform is Platform.TELEGRAM
        assert channel.profile().name == "Администрация города Энска"
        posts = list(channel.posts())
        commented = next(p for p in posts if p.comments_count)
        question = next(c for c in channel.comments(commented.id) if not c.from_page)
        answer = channel.reply(question, "Ответим сегодня.")
        assert answer.parent_id == question.id
        with pytest.raises(PermissionDenied):
            channel.ban(question.author_id or "1")
    with pytest.raises(ValidationError, match="client"):
        gsync.TelegramChannel(FakeTelegram.SAMPLE_CHANNEL)


def test_sync_telegram_channel_builds_its_client_in_the_background_loop() -> None:
    pytest.importorskip("telethon")
    from gospages.testing import FakeTelegram

    loops: list[asyncio.AbstractEventLoop] = []

    def factory() -> FakeTelegram:
        loops.append(asyncio.get_running_loop())
        return FakeTelegram.sample()

    with gsync.TelegramChannel(FakeTelegram.SAMPLE_CHANNEL, client_factory=factory) as channel:
        assert channel.verification().state.value in {"confirmed", "not_confirmed", "unknown"}
    assert loops and loops[0] is not None


def test_sync_does_not_import_telethon_until_asked() -> None:
    pytest.importorskip("telethon")
    code = (
        "import sys, gospages.sync; assert 'telethon' not in sys.modules; "
        "gospages.sync.TelegramChannel; assert 'telethon' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
