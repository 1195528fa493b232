"""Fakes of the platforms, for your tests and for the sandbox demo.

`FakeVK` is a stateful fake of the VK API that answers the real shapes and
errors. Wire it into a page with ``http_client=fake.client()``::

    fake = FakeVK()
    fake.add_group(1, "Администрация", "adm")
    fake.add_token("t-user", kind="user", user_id=7, admin_of=[1])
    page = VKPage("adm", user_token="t-user", http_client=fake.client())

`sample_vk` builds a ready sandbox with two communities, posts and comments.
"""

from ._base import FakeCall, UnsupportedByFake
from ._sample import SampleVK, sample_vk
from ._vk import FakeComment, FakeGroup, FakePost, FakeVK, VKCall

__all__ = [
    "FakeCall",
    "FakeComment",
    "FakeGroup",
    "FakePost",
    "FakeVK",
    "SampleVK",
    "UnsupportedByFake",
    "VKCall",
    "sample_vk",
]
