"""FakeVK answers in VK's official shapes: every answer of every method it implements is
validated against the response definitions of VK's JSON schema (VKCOM/vk-api-schema,
API 5.199, vendored in tests/data/vk_schema with its MIT license)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

jsonschema = pytest.importorskip("jsonschema")
referencing = pytest.importorskip("referencing")

from referencing.jsonschema import DRAFT7  # noqa: E402

from gospages import Photo, Poll, Post  # noqa: E402
from gospages.testing import SampleVK  # noqa: E402
from gospages.testing._vk import _ACCEPTS  # noqa: E402

from .conftest import make_page  # noqa: E402

SCHEMA = Path(__file__).parent / "data" / "vk_schema"
BASE = "https://vk-api-schema.invalid/"

#: method -> (response definition, extended response definition or None)
RESPONSES: dict[str, tuple[str, str | None]] = {
    "groups.getById": ("groups/responses.json#/definitions/groups_getById_object_response", None),
    "wall.get": (
        "wall/responses.json#/definitions/wall_get_response",
        "wall/responses.json#/definitions/wall_get_extended_response",
    ),
    "wall.getComments": (
        "wall/responses.json#/definitions/wall_getComments_response",
        "wall/responses.json#/definitions/wall_getComments_extended_response",
    ),
    "wall.post": ("wall/responses.json#/definitions/wall_post_response", None),
    "wall.deleteComment": ("base/responses.json#/definitions/base_ok_response", None),
    "wall.createComment": ("wall/responses.json#/definitions/wall_createComment_response", None),
    "photos.getWallUploadServer": (
        "photos/responses.json#/definitions/photos_getWallUploadServer_response",
        None,
    ),
    "photos.saveWallPhoto": (
        "photos/responses.json#/definitions/photos_saveWallPhoto_response",
        None,
    ),
    "polls.create": ("polls/responses.json#/definitions/polls_create_response", None),
    "execute": ("base/responses.json#/definitions/base_undefined_response", None),
    "groups.ban": ("base/responses.json#/definitions/base_ok_response", None),
    "groups.getBanned": ("groups/responses.json#/definitions/groups_getBanned_response", None),
}


def _draft7(node: Any) -> Any:
    """VK marks required properties draft-03 style (``"required": true`` on the
    property): turn them into draft-07 ``required`` lists on the object.

    ``additionalProperties: false`` is dropped: VK puts it on ``groups_group``, which
    ``groups_group_full`` extends through ``allOf``, and under draft-07 it would then
    reject every field of the full object (a real ``groups.getById`` answer too)."""
    if isinstance(node, list):
        return [_draft7(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {
        k: _draft7(v)
        for k, v in node.items()
        if not (k == "required" and v is True) and not (k == "additionalProperties" and v is False)
    }
    if out.get("required") is False:
        del out["required"]
    props = node.get("properties")
    if isinstance(props, dict):
        needed = [
            name
            for name, sub in props.items()
            if isinstance(sub, dict) and sub.get("required") is True
        ]
        if needed:
            out["required"] = sorted({*(out.get("required") or []), *needed})
    return out


def _registry() -> Any:
    resources = []
    for path in SCHEMA.rglob("*.json"):
        contents = _draft7(json.loads(path.read_text(encoding="utf-8")))
        uri = BASE + path.relative_to(SCHEMA).as_posix()
        resources.append((uri, DRAFT7.create_resource(contents)))
    return referencing.Registry().with_resources(resources)


REGISTRY = _registry()


def validate(method: str, body: Any, *, extended: bool = False) -> None:
    plain, ext = RESPONSES[method]
    ref = ext if extended and ext else plain
    validator = jsonschema.Draft7Validator({"$ref": BASE + ref}, registry=REGISTRY)
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    assert not errors, f"{method}: " + "; ".join(
        f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in errors[:5]
    )


def test_every_implemented_method_has_a_response_definition() -> None:
    assert set(_ACCEPTS) <= set(RESPONSES)


def _recording(sandbox: SampleVK) -> tuple[list[tuple[str, dict[str, str], Any]], Any]:
    seen: list[tuple[str, dict[str, str], Any]] = []
    original = sandbox.fake.handler

    def handler(request: httpx.Request) -> httpx.Response:
        response = original(request)
        method = request.url.path.rsplit("/", 1)[-1]
        params = dict(httpx.QueryParams(request.content.decode(errors="replace")))
        if request.url.path.startswith("/method/"):
            seen.append((method, params, response.json()))
        return response

    return seen, handler


@pytest.fixture
def answers(sandbox: SampleVK) -> list[tuple[str, dict[str, str], Any]]:
    seen, handler = _recording(sandbox)
    sandbox.fake.handler = handler  # type: ignore[method-assign]
    return seen


async def test_fake_vk_answers_match_the_official_schema(
    sandbox: SampleVK, answers: list[tuple[str, dict[str, str], Any]], tmp_path: Path
) -> None:
    image = tmp_path / "a.jpg"
    image.write_bytes(b"\xff\xd8fake-jpeg")
    async with make_page(sandbox) as page:
        await page.profile()
        posts = [p async for p in page.posts()]
        comments = [c async for c in page.comments()]
        api = page.api
        gid = await page.group_id()
        await api.call("wall.get", {"owner_id": -gid, "count": 5, "extended": 1})
        await api.call("wall.get", {"domain": "adm_ensk", "count": 5})
        post_id = next(p.id for p in posts if p.comments_count)
        await api.call(
            "wall.getComments",
            {"owner_id": -gid, "post_id": post_id, "extended": 1, "need_likes": 1},
        )
        receipt = await page.publish(
            Post(
                text="Слушания",
                attachments=[
                    Photo.from_path(image),
                    Poll(question="Придёте?", answers=["Да", "Нет"]),
                ],
            )
        )
        assert receipt.post_id
        question = next(c for c in comments if not c.from_page and not c.deleted)
        await page.reply(question, "Спасибо")
        await page.delete_comment(question)
        await page.ban("5001")
        banned, _until = await page.read_ban("5001")
        assert banned
    methods = {m for m, _, _ in answers}
    assert set(_ACCEPTS) - methods == set(), "every implemented method was called"
    for method, params, body in answers:
        if "error" in body:
            continue
        if method == "execute":
            # VK's schema gives execute an "undefined" object; the fake answers each batched
            # call with that method's own response, checked against its definition.
            called = re.findall(r"API\.([A-Za-z]+\.[A-Za-z]+)\(", params["code"])
            assert len(called) == len(body["response"])
            for inner, result in zip(called, body["response"], strict=True):
                if result is not False:
                    validate(inner, {"response": result})
            continue
        validate(method, body, extended=params.get("extended") == "1")


async def test_extended_and_need_likes_and_domain_are_honoured(sandbox: SampleVK) -> None:
    async with make_page(sandbox) as page:
        gid = await page.group_id()
        extended = await page.api.call("wall.get", {"owner_id": -gid, "count": 3, "extended": 1})
        assert {"profiles", "groups"} <= set(extended)
        assert any(g["id"] == gid for g in extended["groups"])
        by_domain = await page.api.call("wall.get", {"domain": "adm_ensk", "count": 3})
        assert by_domain["items"] and by_domain["items"][0]["owner_id"] == -gid
        post = next(i for i in extended["items"] if i["comments"]["count"])
        liked = await page.api.call(
            "wall.getComments", {"owner_id": -gid, "post_id": post["id"], "need_likes": 1}
        )
        assert all("likes" in item for item in liked["items"])
        plain = await page.api.call("wall.getComments", {"owner_id": -gid, "post_id": post["id"]})
        assert all("likes" not in item for item in plain["items"])


async def test_deleting_a_deleted_comment_is_error_104(sandbox: SampleVK) -> None:
    from gospages import NotFound

    async with make_page(sandbox) as page:
        victim = [c async for c in page.comments() if not c.deleted and not c.from_page][0]
        await page.delete_comment(victim)
        with pytest.raises(NotFound) as caught:
            await page.delete_comment(victim)
    assert caught.value.code == 104


# -- the vk_api package against the served fake --------------------------------------------


def _vk_api_session(base: str, token: str) -> Any:
    import requests
    import vk_api

    class Redirect(requests.adapters.HTTPAdapter):
        def send(self, request, **kwargs):  # type: ignore[no-untyped-def, override]
            request.url = request.url.replace("https://api.vk.ru", base)
            return super().send(request, **kwargs)

    session = requests.Session()
    session.mount("https://", Redirect())
    api = vk_api.VkApi(token=token, api_version="5.199", session=session)
    api.RPS_DELAY = 0  # vk_api sleeps for real between requests; the fake has no limit here
    return api


def test_vk_api_tools_pool_upload_and_unknown_methods_against_the_served_fake(
    tmp_path: Path,
) -> None:
    import vk_api
    from vk_api.requests_pool import VkRequestsPool
    from vk_api.tools import VkTools
    from vk_api.upload import VkUpload

    from gospages.testing import sample_vk

    sandbox = sample_vk(rate_limits=False)
    group = sandbox.fake.groups[100001]
    every = sorted(p.id for p in group.posts if not p.postponed)
    with sandbox.fake.serve() as base:
        vk = _vk_api_session(base, sandbox.user_token)
        walked = VkTools(vk).get_all("wall.get", 2, {"owner_id": -100001})
        with VkRequestsPool(vk) as pool:
            first = pool.method("wall.get", {"owner_id": -100001, "count": 1})
            other = pool.method("wall.get", {"owner_id": -100001, "count": 2, "offset": 1})
        with VkRequestsPool(vk) as pool:
            profile = pool.method("groups.getById", {"group_id": "adm_ensk"})
            page = pool.method("wall.get", {"owner_id": -100001, "count": 1})
        image = tmp_path / "a.jpg"
        image.write_bytes(b"\xff\xd8fake-jpeg")
        saved = VkUpload(vk).photo_wall([str(image)], group_id=100001)
        with pytest.raises(vk_api.ApiError) as unknown:
            vk.method("wall.noSuchMethod", {"owner_id": -100001})
    assert sorted(p["id"] for p in walked["items"]) == every
    assert len(first.result["items"]) == 1 and len(other.result["items"]) == 2
    assert profile.result["groups"][0]["id"] == 100001 and page.result["items"]
    assert saved[0]["owner_id"] == -100001
    assert unknown.value.code == 3
    assert sandbox.fake.unsupported
