"""Fakes of the platforms, for your tests and for the sandbox demo.

`FakeVK` is a stateful fake of the VK API that answers the real shapes and
errors. Wire it into a page with ``http_client=fake.client()``::

    fake = FakeVK()
    fake.add_group(1, "Администрация", "adm")
    fake.add_token("t-user", kind="user", user_id=7, admin_of=[1])
    page = VKPage("adm", user_token="t-user", http_client=fake.client())

`FakeOK` does the same for Odnoklassniki (signatures checked on every request), and
`FakeMax` for the MAX Bot API (`sample_max` builds a ready channel).
`sample_vk` and `sample_ok` build ready sandboxes with pages, posts and comments;
`build_region` builds a whole region (registry, pages on three platforms, weeks of
posts and comments of every kind, compliant and failing pages) with its ground truth.

`FakeTelegram` stands in for Telegram behind `gospages.telegram.TelegramChannel`
(``client=fake``) and answers with real Telethon objects. It needs Telethon, so it is
imported on first use: ``gospages.testing`` itself works without Telethon.

`gospages.testing.contract` is the contract suite every backend passes, for pytest:
subclass its ``OfficialPageContract`` to hold your own backend (or a live page) to it.
It imports pytest, so it is not imported from here.
"""

from typing import TYPE_CHECKING, Any

from .._clock import Clock, RealClock, VirtualClock
from ._base import FakeCall, UnsupportedByFake
from ._max import FakeMax, FakeMaxChannel, FakeMaxComment, FakeMaxMessage
from ._ok import FakeOK, FakeOKComment, FakeOKGroup, FakeOKTopic
from ._sample import SampleOK, SampleVK, sample_ok, sample_vk
from ._sample_max import SampleMax, sample_max
from ._scenario import COMMENT_KINDS, PageSetup, Scenario, build_region, sandbox_for
from ._vk import FakeComment, FakeGroup, FakePost, FakeVK, VKCall

if TYPE_CHECKING:
    from ._telegram import FakeTelegram

__all__ = [
    "COMMENT_KINDS",
    "Clock",
    "FakeCall",
    "FakeComment",
    "FakeGroup",
    "FakeMax",
    "FakeMaxChannel",
    "FakeMaxComment",
    "FakeMaxMessage",
    "FakeOK",
    "FakeOKComment",
    "FakeOKGroup",
    "FakeOKTopic",
    "FakePost",
    "FakeTelegram",
    "FakeVK",
    "PageSetup",
    "RealClock",
    "SampleMax",
    "SampleOK",
    "SampleVK",
    "Scenario",
    "UnsupportedByFake",
    "VKCall",
    "VirtualClock",
    "build_region",
    "sample_max",
    "sample_ok",
    "sample_vk",
    "sandbox_for",
]


def __getattr__(name: str) -> Any:
    # Telethon is optional: the Telegram fake is imported only when asked for.
    if name == "FakeTelegram":
        from ._telegram import FakeTelegram

        return FakeTelegram
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
