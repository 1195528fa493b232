"""FakeVK answers the documented VK shapes and rejects what VK rejects."""

from __future__ import annotations

import json

import httpx
import pytest

from gospages.testing import FakeVK, UnsupportedByFake, sample_vk

API = "https://api.vk.ru/method"


def call(fake: FakeVK, method: str, token: str, **params: object) -> dict[str, object]:
    with httpx.Client(transport=httpx.MockTransport(fake.handler)) as client:
        data = {"access_token": token, "v": "5.199", **{k: str(v) for k, v in params.items()}}
        return client.post(f"{API}/{method}", data=data).json()  # type: ignore[no-any-return]


@pytest.fixture
def fake() -> FakeVK:
    return sample_vk(rate_limits=False).fake


def test_groups_get_by_id_is_the_5199_object(fake: FakeVK) -> None:
    body = call(
        fake,
        "groups.getById",
        "sandbox-service-token-0001",
        group_id="adm_ensk",
        fields="members_count,contacts",
    )
    response = body["response"]
    assert isinstance(response, dict) and set(response) == {"groups", "profiles"}
    group = response["groups"][0]
    assert group["id"] == 100001 and group["members_count"] == 2421
    assert "site" not in group  # only the fields asked for


def test_errors_come_with_http_200_and_echo_params(fake: FakeVK) -> None:
    with httpx.Client(transport=httpx.MockTransport(fake.handler)) as client:
        response = client.post(f"{API}/wall.get", data={"access_token": "nope", "owner_id": "-1"})
    assert response.status_code == 200
    error = response.json()["error"]
    assert error["error_code"] == 5
    assert {"key": "owner_id", "value": "-1"} in error["request_params"]
    assert all(p["key"] != "access_token" for p in error["request_params"])


@pytest.mark.parametrize(
    ("method", "token", "code"),
    [
        ("wall.post", "sandbox-community-token-ensk-0001", 27),
        ("wall.deleteComment", "sandbox-community-token-ensk-0001", 27),
        ("wall.post", "sandbox-service-token-0001", 28),
        ("wall.get", "sandbox-community-token-ensk-0001", 27),
    ],
)
def test_wrong_token_kind(fake: FakeVK, method: str, token: str, code: int) -> None:
    body = call(fake, method, token, owner_id=-100001, message="x")
    assert body["error"]["error_code"] == code  # type: ignore[index]


def test_rate_limit_per_token() -> None:
    now = [0.0]
    fake = sample_vk(rate_limits=True).fake
    fake._clock = lambda: now[0]
    codes = [
        "error" in call(fake, "groups.getById", "sandbox-service-token-0001", group_id=100001)
        for _ in range(4)
    ]
    assert codes == [False, False, False, True]
    now[0] += 1.0
    assert "response" in call(fake, "groups.getById", "sandbox-service-token-0001", group_id=100001)
    community = [
        "error"
        in call(fake, "groups.getById", "sandbox-community-token-ensk-0001", group_id=100001)
        for _ in range(21)
    ]
    assert community.count(True) == 1 and community[-1]


def test_unknown_method_fails_loudly(fake: FakeVK) -> None:
    with pytest.raises(UnsupportedByFake, match=r"stats\.get"):
        call(fake, "stats.get", "sandbox-user-token-ensk-0001", group_id=100001)


def test_photo_upload_flow_shapes(fake: FakeVK) -> None:
    user = "sandbox-user-token-ensk-0001"
    server = call(fake, "photos.getWallUploadServer", user, group_id=100001)["response"]
    with httpx.Client(transport=httpx.MockTransport(fake.handler)) as client:
        uploaded = client.post(server["upload_url"], files={"photo": ("a.jpg", b"\xff\xd8")}).json()  # type: ignore[index]
    assert isinstance(uploaded["photo"], str)  # a JSON *string*, as VK sends it
    assert json.loads(uploaded["photo"])
    bad = call(
        fake,
        "photos.saveWallPhoto",
        user,
        group_id=100001,
        photo=uploaded["photo"],
        server=uploaded["server"],
        hash="wrong",
    )
    assert bad["error"]["error_code"] == 121  # type: ignore[index]
    saved = call(
        fake,
        "photos.saveWallPhoto",
        user,
        group_id=100001,
        photo=uploaded["photo"],
        server=uploaded["server"],
        hash=uploaded["hash"],
    )["response"]
    assert saved[0]["owner_id"] == -100001  # type: ignore[index]


def test_guid_deduplicates_posts(fake: FakeVK) -> None:
    user = "sandbox-user-token-ensk-0001"
    first = call(fake, "wall.post", user, owner_id=-100001, from_group=1, message="a", guid="g1")
    second = call(fake, "wall.post", user, owner_id=-100001, from_group=1, message="a", guid="g1")
    third = call(fake, "wall.post", user, owner_id=-100001, from_group=1, message="a", guid="g2")
    assert first == second != third


def test_one_link_per_post(fake: FakeVK) -> None:
    body = call(
        fake,
        "wall.post",
        "sandbox-user-token-ensk-0001",
        owner_id=-100001,
        message="x",
        attachments="https://a.ru,https://b.ru",
    )
    assert body["error"]["error_code"] == 100  # type: ignore[index]


def test_deleted_comment_has_an_empty_text(fake: FakeVK) -> None:
    post_id = max(
        (p for p in fake.groups[100001].posts if not p.is_pinned), key=lambda p: p.date
    ).id
    body = call(
        fake,
        "wall.getComments",
        "sandbox-service-token-0001",
        owner_id=-100001,
        post_id=post_id,
        count=100,
        thread_items_count=10,
    )
    items = body["response"]["items"]  # type: ignore[index]
    deleted = [i for i in items if i.get("deleted")]
    # VK's schema requires ``text`` on every comment: a deleted one has it empty.
    assert deleted and all(i["text"] == "" for i in deleted)
    threaded = [i for i in items if i["thread"]["count"]]
    assert threaded[0]["thread"]["items"][0]["parents_stack"] == [threaded[0]["id"]]


def test_seeded_faults_are_reproducible_and_survivable() -> None:
    from datetime import datetime, timedelta, timezone

    from gospages import RetryPolicy
    from gospages.vk import VKLimits, VKPage

    def run(seed: int) -> tuple[list[str], int]:
        import asyncio

        sandbox = sample_vk(rate_limits=False)
        sandbox.fake.inject_faults(0.3, seed=seed, kinds=("http", "lose"))

        async def read() -> list[str]:
            async with VKPage(
                sandbox.district,
                service_token=sandbox.service_token,
                http_client=sandbox.fake.client(),
                limits=VKLimits(service=1000),
                retry=RetryPolicy(attempts=8, initial_delay=0.001, max_delay=0.001),
            ) as page:
                week = datetime.now(timezone.utc) - timedelta(days=7)
                return [c.id async for c in page.comments(since=week)]

        return asyncio.run(read()), len(sandbox.fake.calls)

    first, calls = run(7)
    again, calls_again = run(7)
    assert first == again and calls == calls_again  # same seed, same story
    assert len(first) == 7  # every comment read despite the faults
    assert calls > 7  # and faults did happen


def test_execute_batches_calls_and_reports_partial_failures(fake: FakeVK) -> None:
    import json as _json

    post_id = max(
        (p for p in fake.groups[100001].posts if not p.is_pinned), key=lambda p: p.date
    ).id
    good = _json.dumps({"owner_id": -100001, "post_id": post_id, "count": 100})
    bad = _json.dumps({"owner_id": -100001, "post_id": 99999})
    code = f"return [API.wall.getComments({good}),API.wall.getComments({bad})];"
    body = call(fake, "execute", "sandbox-user-token-ensk-0001", code=code)
    ok, failed = body["response"]  # type: ignore[misc]
    assert ok["count"] >= 1 and failed is False
    assert body["execute_errors"] == [  # type: ignore[comparison-overlap]
        {
            "method": "wall.getComments",
            "error_code": 100,
            "error_msg": "One of the parameters specified was missing or invalid: post_id",
        }
    ]
    many = "return [" + ",".join([f"API.wall.getComments({good})"] * 26) + "];"
    assert (
        call(fake, "execute", "sandbox-user-token-ensk-0001", code=many)["error"]["error_code"]
        == 13
    )  # type: ignore[index]
    inner = call(
        fake,
        "execute",
        "sandbox-community-token-ensk-0001",
        code=f"return [API.wall.getComments({good})];",
    )
    assert inner["response"] == [False]  # a community key may not read comments, even inside
    with pytest.raises(UnsupportedByFake):
        call(fake, "execute", "sandbox-user-token-ensk-0001", code="var a = 1; return a;")
