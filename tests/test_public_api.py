from __future__ import annotations

import importlib
from pathlib import Path

import pytest

import gospages


@pytest.mark.parametrize("module", ["gospages", "gospages.vk", "gospages.testing"])
def test_all_is_sorted_and_importable(module: str) -> None:
    mod = importlib.import_module(module)
    names = list(mod.__all__)

    # isort-style, as ruff's RUF022 keeps it: CONSTANTS, then Classes, then functions.
    def key(name: str) -> tuple[int, str]:
        kind = 0 if name.isupper() else 1 if name[:1].isupper() else 2
        return kind, name

    assert names == sorted(names, key=key)
    for name in names:
        assert hasattr(mod, name), name


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
