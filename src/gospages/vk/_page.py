"""The VK backend of `gospages.OfficialPage`."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import AsyncIterator, Hashable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

import httpx
from pydantic import SecretStr

from .._clock import Clock
from .._errors import GospagesError, NotFound, ValidationError, answer_shape
from .._models import (
    Capabilities,
    Comment,
    Operation,
    PageProfile,
    Platform,
    Post,
    PostSummary,
    Verification,
)
from .._page import OfficialPage, PageReading, Written, aware
from .._platforms import describe
from .._secrets import register_secret
from .._transport import RetryPolicy, Transport
from . import _fleet
from ._api import (
    API_VERSION,
    DEFAULT_API_URL,
    METHOD_TOKENS,
    CaptchaHandler,
    RetryMode,
    TokenKind,
    VKApi,
    VKLimits,
)
from ._parse import (
    _comment_from,
    _count,
    _has_id,
    _items,
    _parse_group,
    _post_url,
    _profile_from,
    _verification_from,
)
from ._wall import GROUP_FIELDS, PAGE_SIZE, _Wall, comments_params

__all__ = ["VKPage"]


_VK_LIMITS = {
    name: getattr(describe(Platform.VK).limits, name) or 0
    for name in ("text", "attachments", "links", "polls", "photo_bytes", "comment_text")
}
"""The old ``gospages.vk.VK_LIMITS`` (deprecated): the descriptor's limits as a dict."""


_EXECUTE_BATCH = 25  # VK runs at most 25 API calls in one execute

# Operation -> the VK method whose token rule decides it.
_OPERATION_METHODS: dict[Operation, tuple[str, ...]] = {
    Operation.PROFILE: ("groups.getById",),
    Operation.VERIFICATION: ("groups.getById",),
    Operation.POSTS: ("wall.get",),
    Operation.COMMENTS: ("wall.getComments",),
    Operation.PUBLISH: ("wall.post",),
    Operation.PUBLISH_PHOTOS: ("wall.post", "photos.getWallUploadServer"),
    Operation.PUBLISH_POLLS: ("wall.post", "polls.create"),
    Operation.SCHEDULE: ("wall.post",),
    Operation.REPLY: ("wall.createComment",),
    Operation.DELETE_COMMENT: ("wall.deleteComment",),
    Operation.BAN: ("groups.ban",),
}


_CAPABILITIES: dict[tuple[type, frozenset[TokenKind]], Capabilities] = {}
"""What each set of key kinds allows (:meth:`VKPage.capabilities`), worked out once."""


def _thread_of(item: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """``(the thread object, its reply objects)`` of a comment, empty when absent."""
    thread = item.get("thread")
    if not isinstance(thread, dict):
        return {}, []
    replies = thread.get("items")
    return thread, [r for r in replies if isinstance(r, dict)] if isinstance(replies, list) else []


class VKPage(OfficialPage):
    """An official VK community.

    Args:
        group: the community: numeric id, screen name, ``club123`` or its URL.
        user_token: key of a user who administers the community. Needed to publish,
            upload photos, create polls and delete comments.
        community_token: the community's key. Enough to reply to comments.
        service_token: the application's service key. Enough to read the profile,
            posts and comments of an open community without spending a user's quota.
        http_client: an ``httpx.AsyncClient`` to use (its transport may be a fake);
            gospages then does not close it.
        api_url: the API root, ``https://api.vk.ru/method`` by default.
        api_version: the VK API version sent as ``v`` (``5.199``: the shapes gospages parses).
        retry: how failed reads (and ``guid``-protected writes) are retried.
        limits: requests per second per token kind (VK: user 3, service 3, community 20).
        captcha_handler: called with `gospages.CaptchaRequired` to get the answer
            (sync or async); without it the error is raised.
        clock: the time the rate limits and retry pauses run on (real time by default,
            or the fake's when ``http_client`` comes from a gospages fake).
        timeout: seconds to wait for VK.

    Pass any subset of the three keys; `capabilities` tells what they allow.
    """

    platform = Platform.VK

    def __init__(
        self,
        group: int | str,
        *,
        user_token: SecretStr | str | None = None,
        community_token: SecretStr | str | None = None,
        service_token: SecretStr | str | None = None,
        http_client: httpx.AsyncClient | None = None,
        api_url: str = DEFAULT_API_URL,
        api_version: str = API_VERSION,
        retry: RetryPolicy | None = None,
        limits: VKLimits | None = None,
        captcha_handler: CaptchaHandler | None = None,
        timeout: float = 30.0,
        clock: Clock | None = None,
    ) -> None:
        self._group_id, self._ref = _parse_group(group)
        tokens: dict[TokenKind, SecretStr] = {}
        for kind, token in (
            (TokenKind.USER, user_token),
            (TokenKind.COMMUNITY, community_token),
            (TokenKind.SERVICE, service_token),
        ):
            if token is None:
                continue
            secret = token if isinstance(token, SecretStr) else SecretStr(token)
            if not secret.get_secret_value().strip():
                raise ValidationError(f"VKPage: пустой {kind.label}")
            register_secret(secret)
            tokens[kind] = secret
        if not tokens:
            raise ValidationError(
                "VKPage: передайте хотя бы один ключ: user_token, community_token или service_token"
            )
        self._transport = Transport(
            Platform.VK, http_client=http_client, timeout=timeout, retry=retry, clock=clock
        )
        self._api = VKApi(
            tokens=tokens,
            transport=self._transport,
            api_url=api_url,
            version=api_version,
            limits=limits,
            captcha_handler=captcha_handler,
        )
        self._group_cache: dict[str, Any] | None = None
        self._group_cached_at = 0.0

    def __repr__(self) -> str:
        kinds = ", ".join(k.value for k in self._api.tokens)
        return f"VKPage(group={self._ref!r}, tokens=[{kinds}])"

    @property
    def page_id(self) -> str:
        return self._ref

    @property
    def api(self) -> VKApi:
        """The low-level caller, for VK methods gospages does not wrap yet."""
        return self._api

    async def aclose(self) -> None:
        await self._transport.aclose()

    # -- capabilities --------------------------------------------------------------------

    def capabilities(self) -> Capabilities:
        # The same for every page with the same kinds of keys, and a fleet asks per page:
        # worked out once per set of kinds.
        key = (type(self._api), frozenset(self._api.tokens))
        known = _CAPABILITIES.get(key)
        if known is None:
            known = _CAPABILITIES[key] = self._capabilities_of_keys()
        return known

    def _capabilities_of_keys(self) -> Capabilities:
        allowed: set[Operation] = set()
        missing: dict[Operation, str] = {}
        for operation, methods in _OPERATION_METHODS.items():
            lacking = [m for m in methods if not self._api.kinds_for(m)]
            if not lacking:
                allowed.add(operation)
                continue
            method = lacking[0]
            names = " или ".join(k.label for k in METHOD_TOKENS[method])
            missing[operation] = f"нужен {names} (метод {method})"
        return Capabilities(platform=Platform.VK, allowed=frozenset(allowed), missing=missing)

    # -- the community -------------------------------------------------------------------

    async def group_id(self) -> int:
        """The numeric id of the community, resolving a screen name once."""
        if self._group_id is None:
            await self._fetch_group()
        assert self._group_id is not None
        return self._group_id

    async def _fetch_group(self) -> dict[str, Any]:
        try:
            response = await self._api.call(
                "groups.getById", {"group_id": self._ref, "fields": GROUP_FIELDS}
            )
        except ValidationError as error:
            if error.code != 100:
                raise
            # VK answers an unknown screen name or id with "invalid parameter" (100).
            raise NotFound(
                f"Сообщество ВКонтакте «{self._ref}» не найдено",
                platform=Platform.VK,
                method="groups.getById",
                code=100,
            ) from None
        with answer_shape(Platform.VK, "groups.getById"):
            groups = response.get("groups") if isinstance(response, dict) else response
            if not groups:
                raise NotFound(
                    f"Сообщество ВКонтакте «{self._ref}» не найдено",
                    platform=Platform.VK,
                    method="groups.getById",
                )
            group: dict[str, Any] = groups[0]
            if not isinstance(group, dict) or isinstance(group.get("id"), bool):
                raise TypeError("group is not an object with an id")
            self._group_id = abs(int(group["id"]))
        self._group_cache = group
        self._group_cached_at = time.monotonic()
        return group

    async def raw_group(self) -> dict[str, Any]:
        """The community object as ``groups.getById`` returns it (fresh each call)."""
        return await self._fetch_group()

    async def profile(self) -> PageProfile:
        group = await self._fetch_group()
        with answer_shape(Platform.VK, "groups.getById"):
            return _profile_from(group)

    async def verification(self) -> Verification:
        """The mark, from the same ``groups.getById`` answer as :meth:`profile` when that
        was read in the last 30 seconds (an audit asks for both: one request serves)."""
        group = self._group_cache
        if group is None or time.monotonic() - self._group_cached_at >= 30:
            group = await self._fetch_group()
        with answer_shape(Platform.VK, "groups.getById"):
            return _verification_from(group)

    # -- reading many communities --------------------------------------------------------

    batch_size = _fleet.BATCH
    first_batch_size = _fleet.GET_BY_ID_MAX

    @classmethod
    def batch_key(cls, page: OfficialPage) -> Hashable | None:
        """Communities read with the same keys (and API and clock) are read together."""
        return _fleet.batch_key(page) if isinstance(page, VKPage) else None

    @classmethod
    async def read_many(
        cls,
        pages: Sequence[OfficialPage],
        *,
        since: datetime,
        until: datetime,
        comments: bool = True,
        max_posts: int = 1000,
    ) -> AsyncIterator[tuple[int, PageReading]]:
        """Read many communities of one :meth:`batch_key` with as few requests as VK
        allows: profiles and marks 500 a ``groups.getById``; with a user key walls and
        the first page of comments 25 a ``execute`` (see :mod:`gospages.vk._fleet`)."""
        since = aware(since, "since") or since
        until = aware(until, "until") or until
        vk = [p for p in pages if isinstance(p, VKPage)]
        if len(vk) != len(pages) or len({cls.batch_key(p) for p in vk}) > 1:
            raise ValidationError("VKPage.read_many: страницы с разными ключами читаются порознь")
        async for item in _fleet.read_many(
            vk, since=since, until=until, comments=comments, max_posts=max_posts
        ):
            yield item

    # -- reading -------------------------------------------------------------------------

    async def _posts(
        self, since: datetime | None, until: datetime | None
    ) -> AsyncIterator[PostSummary]:
        wall = _Wall(await self.group_id(), since, until)
        while (params := wall.params()) is not None:
            page = await self._api.call("wall.get", params)
            for post in wall.feed(page):
                yield post

    async def _comments_of(
        self,
        posts: Sequence[PostSummary],
        since: datetime | None,
        prefetched: Mapping[str, Any] | None = None,
    ) -> AsyncIterator[Comment]:
        posts = [p for p in posts if self._may_have_comments(p)]
        firsts: dict[str, Any] = dict(prefetched or {})
        if prefetched is None and TokenKind.USER in self._api.tokens and len(posts) > 1:
            # With a user key, the first page of up to 25 posts' comments comes in one
            # `execute` request instead of 25: a fleet audit needs a tenth of the requests.
            gid = await self.group_id()
            for start in range(0, len(posts), _EXECUTE_BATCH):
                batch = posts[start : start + _EXECUTE_BATCH]
                answers = await self._api.execute_calls(
                    [("wall.getComments", self._comments_params(gid, p.id, 0)) for p in batch]
                )
                firsts.update(
                    {p.id: a for p, a in zip(batch, answers, strict=True) if a is not None}
                )
        for post in posts:
            # A post whose comments VK refused in execute (its slot's error, 212) has its
            # refusal recorded without ending the walk; one VK gave no error for is read alone.
            stream = self._post_comments(post.id, since, first_page=firsts.get(post.id))
            async for comment in self._walk_post(post.id, stream):
                yield comment

    @staticmethod
    def _comments_params(gid: int, post_id: str, offset: int) -> dict[str, Any]:
        return comments_params(gid, post_id, offset)

    async def _post_comments(
        self, post_id: str, since: datetime | None, *, first_page: Any = None
    ) -> AsyncIterator[Comment]:
        gid = await self.group_id()
        offset = 0
        while True:
            page: dict[str, Any]
            try:
                if offset == 0 and isinstance(first_page, GospagesError):
                    raise first_page
                if offset == 0 and isinstance(first_page, dict):
                    page = first_page
                else:
                    page = await self._api.call(
                        "wall.getComments", self._comments_params(gid, post_id, offset)
                    )
            except ValidationError as error:
                # Error 100 on the first page of a post's comments: there is no such post.
                if offset == 0 and error.code == 100:
                    raise NotFound(
                        f"ВКонтакте: записи {post_id} нет на странице «{self.page_id}»",
                        platform=Platform.VK,
                        method="wall.getComments",
                        code=100,
                    ) from None
                raise
            with answer_shape(Platform.VK, "wall.getComments"):
                items, _ = _items(page)
                # "count" counts threads too; the top level is current_level_count.
                total = _count(page, "current_level_count", "count")
                parsed: list[tuple[Comment, list[Comment] | None]] = []
                for item in items:
                    if not _has_id(item):
                        continue
                    top = _comment_from(item, gid, post_id, thread_id=None)
                    thread, replies = _thread_of(item)
                    if _count(thread, "count") > len(replies):
                        parsed.append((top, None))  # the whole thread is read apart
                    else:
                        parsed.append(
                            (
                                top,
                                [
                                    _comment_from(r, gid, post_id, thread_id=top.id)
                                    for r in replies
                                    if _has_id(r)
                                ],
                            )
                        )
            for top, known_replies in parsed:
                yield top
                if known_replies is None:
                    async for reply in self._thread(post_id, top.id):
                        yield reply
                else:
                    for reply in known_replies:
                        yield reply
            offset += len(items)
            if not items or offset >= total:
                return

    async def _thread(self, post_id: str, root_id: str) -> AsyncIterator[Comment]:
        gid = await self.group_id()
        offset = 0
        while True:
            page = await self._api.call(
                "wall.getComments",
                {
                    "owner_id": -gid,
                    "post_id": post_id,
                    "comment_id": root_id,
                    "offset": offset,
                    "count": PAGE_SIZE,
                    "sort": "asc",
                    "preview_length": 0,
                },
            )
            with answer_shape(Platform.VK, "wall.getComments"):
                items, _ = _items(page)
                total = _count(page, "count")
                replies = [
                    _comment_from(item, gid, post_id, thread_id=root_id)
                    for item in items
                    if _has_id(item)
                ]
            for reply in replies:
                yield reply
            offset += len(items)
            if not items or offset >= total:
                return

    # -- writing -------------------------------------------------------------------------

    _answer_of = "Ответ ВКонтакте"
    _refusal = "Публикация не пройдёт во ВКонтакте"
    # A reply carries a guid: the transport resends it safely, VK drops the duplicate.
    _reads_back_replies = False

    def _require(self, operation: Operation, post: Post | None = None) -> None:
        for method in _OPERATION_METHODS[operation]:
            self._api.require(method)
        if operation is Operation.PUBLISH and post is not None:
            if post.photos:
                self._api.require("photos.getWallUploadServer")
            if post.polls:
                self._api.require("polls.create")

    async def _own_ids(self) -> list[str]:
        return [str(await self.group_id())]

    async def _prepare_post(self, post: Post) -> tuple[int, dict[str, Any]]:
        """``(group id, the parameters of wall.post)``, photos uploaded and polls created."""
        images = [(photo.name, self._read_photo(photo)) for photo in post.photos]
        gid = await self.group_id()

        attachments: list[str] = []
        if images:
            server = await self._api.call("photos.getWallUploadServer", {"group_id": gid})
            with answer_shape(Platform.VK, "photos.getWallUploadServer"):
                upload_url = str(server["upload_url"])
            for name, data in images:
                uploaded = await self._api.upload(
                    upload_url, field="photo", filename=name, data=data
                )
                with answer_shape(Platform.VK, "upload"):
                    form = {
                        "group_id": gid,
                        "photo": uploaded["photo"],
                        "server": uploaded["server"],
                        "hash": uploaded["hash"],
                    }
                saved = await self._api.call(
                    "photos.saveWallPhoto", form, retry=RetryMode.IDEMPOTENT
                )
                with answer_shape(Platform.VK, "photos.saveWallPhoto"):
                    attachments.append(f"photo{int(saved[0]['owner_id'])}_{int(saved[0]['id'])}")
        for poll in post.polls:
            created = await self._api.call(
                "polls.create",
                {
                    "owner_id": -gid,
                    "question": poll.question,
                    "add_answers": json.dumps(poll.answers, ensure_ascii=False),
                    "is_anonymous": poll.anonymous,
                    "is_multiple": poll.multiple,
                },
                # No guid for polls: a resend after a lost answer would make a second poll.
                retry=RetryMode.UNSAFE,
            )
            with answer_shape(Platform.VK, "polls.create"):
                attachments.append(f"poll{int(created['owner_id'])}_{int(created['id'])}")
        attachments.extend(str(link.url) for link in post.links)
        params: dict[str, Any] = {
            "owner_id": -gid,
            "from_group": 1,
            "message": post.text,
            "attachments": ",".join(attachments) or None,
            "publish_date": int(post.publish_at.timestamp()) if post.publish_at else None,
            "close_comments": 1 if post.close_comments else None,
            "guid": post.idempotency_key,
        }
        return gid, params

    async def _send_post(self, post: Post, prepared: tuple[int, dict[str, Any]]) -> str:
        _, params = prepared
        response = await self._api.call("wall.post", params, retry=RetryMode.IDEMPOTENT)
        with answer_shape(Platform.VK, "wall.post"):
            post_id = response["post_id"]
            if isinstance(post_id, bool) or not isinstance(post_id, int) or post_id <= 0:
                raise TypeError("post_id is not a positive integer")
            return str(post_id)

    def _receipt_page(self, prepared: tuple[int, dict[str, Any]]) -> str:
        return str(prepared[0])

    def _post_url(self, prepared: tuple[int, dict[str, Any]], post_id: str) -> str:
        return _post_url(prepared[0], post_id)

    def _lost_note(self, written: Written[Any]) -> str:
        if written.value is not None:
            return "Ответ ВКонтакте потерян; запись найдена на стене при проверке."
        return (
            f"Ответ ВКонтакте потерян ({type(written.lost).__name__}), и запись не нашлась "
            "при проверке: посмотрите стену сообщества. Повторная публикация этого "
            "же Post безопасна: VK отбросит дубль по guid."
        )

    async def _baseline(self, post: Post, prepared: tuple[int, dict[str, Any]]) -> Any:
        """The newest post id on the wall before sending (VK numbers a wall's posts in
        order): after a lost answer only a newer post can be this one, never an earlier
        one with the same text. ``None`` when the wall cannot be read (no read-back).
        A scheduled post is matched by its exact date instead: the moment is enough."""
        if post.publish_at is not None:
            return datetime.now(timezone.utc)
        gid, _ = prepared
        if not self._api.kinds_for("wall.get"):
            return None
        # VK lists a pinned post first whatever its age: two items hold the newest.
        page = await self._api.call("wall.get", {"owner_id": -gid, "count": 2, "filter": "owner"})
        with answer_shape(Platform.VK, "wall.get"):
            items, _ = _items(page)
            ids = [item["id"] for item in items if _has_id(item)]
            return max((int(i) for i in ids), default=0)

    async def _find_written(
        self, post: Post, prepared: tuple[int, dict[str, Any]], baseline: Any
    ) -> str | None:
        """Look for ``post`` on the wall after its answer was lost (``baseline``: the
        newest post id before sending, or for a scheduled post the moment before)."""
        gid, _ = prepared
        if post.publish_at is not None:
            # Scheduled posts are shown to the community's admins only: the user key.
            kind: TokenKind | None = TokenKind.USER
            params = {"owner_id": -gid, "count": 100, "filter": "postponed"}
        elif self._api.kinds_for("wall.get"):
            kind = None
            params = {"owner_id": -gid, "count": 20, "filter": "owner"}
        else:
            return None
        try:
            page = await self._api.call("wall.get", params, token=kind)
        except GospagesError:
            return None
        with answer_shape(Platform.VK, "wall.get"):
            items, _ = _items(page)
            for item in items:
                if not _has_id(item) or item.get("text", "") != post.text:
                    continue
                if post.publish_at is not None:
                    if item.get("date") == int(post.publish_at.timestamp()):
                        return str(item["id"])
                elif isinstance(baseline, int) and int(item["id"]) > baseline:
                    return str(item["id"])
        return None

    async def _send_reply(self, comment: Comment, text: str, target: Any) -> Comment:
        gid = await self.group_id()
        response = await self._api.call(
            "wall.createComment",
            {
                "owner_id": -gid,
                "post_id": comment.post_id,
                "from_group": gid,
                "message": text,
                "reply_to_comment": comment.id,
                # The same answer to the same comment is the same guid: a reply retried
                # by the caller after a lost answer is not posted twice.
                "guid": hashlib.sha256(
                    f"{gid}:{comment.post_id}:{comment.id}:{text}".encode()
                ).hexdigest()[:32],
            },
            retry=RetryMode.IDEMPOTENT,
        )
        with answer_shape(Platform.VK, "wall.createComment"):
            comment_id = response["comment_id"]
            if isinstance(comment_id, bool) or not isinstance(comment_id, int):
                raise TypeError("comment_id is not an integer")
        return Comment(
            platform=Platform.VK,
            page=str(gid),
            id=str(comment_id),
            post_id=comment.post_id,
            author_id=str(-gid),
            date=datetime.now(timezone.utc),
            text=text,
            parent_id=comment.id,
            thread_id=comment.thread_id or comment.id,
            from_page=True,
        )

    async def ban(self, author_id: str, *, until: datetime | None = None, reason: str = "") -> None:
        """Add a user to the community's blacklist (``groups.ban``, user key of an admin).

        ``until`` ``None`` bans for good; the reason is shown to the user.
        """
        until = aware(until, "until")
        self._api.require("groups.ban")
        if not str(author_id).lstrip("-").isdigit() or str(author_id).startswith("-"):
            raise ValidationError(f"Заблокировать можно только пользователя, а не «{author_id}»")
        gid = await self.group_id()
        await self._api.call(
            "groups.ban",
            {
                "group_id": gid,
                "owner_id": author_id,
                "end_date": int(until.timestamp()) if until else None,
                "comment": reason or None,
                "comment_visible": 1 if reason else None,
            },
            retry=RetryMode.IDEMPOTENT,  # banning twice is still one ban
        )

    async def read_ban(self, author_id: str) -> tuple[bool, datetime | None]:
        """Whether ``author_id`` is in the community's blacklist now, and until when
        (``None``: for good): ``groups.getBanned`` with ``owner_id``, an admin's key.

        For reading back a ban whose answer was lost, before sending it again."""
        self._api.require("groups.getBanned")
        gid = await self.group_id()
        try:
            answer = await self._api.call(
                "groups.getBanned",
                {"group_id": gid, "owner_id": author_id},
                retry=RetryMode.IDEMPOTENT,
            )
        except NotFound:
            return False, None  # VK answers 104 for someone not in the blacklist
        for item in answer.get("items") or []:
            profile = item.get("profile") or item.get("group") or {}
            if str(profile.get("id")) != str(author_id).lstrip("-"):
                continue
            end = (item.get("ban_info") or {}).get("end_date") or 0
            return True, datetime.fromtimestamp(int(end), timezone.utc) if end else None
        return False, None

    async def _send_delete(self, comment: Comment) -> None:
        gid = await self.group_id()
        await self._api.call(
            "wall.deleteComment",
            {"owner_id": -gid, "comment_id": comment.id},
            # A resend after a lost answer would fail with "not found" (100): not retried.
            retry=RetryMode.UNSAFE,
        )
