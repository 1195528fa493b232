"""The OK (Odnoklassniki) backend of :class:`gospages.OfficialPage`."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator, Hashable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
from pydantic import SecretStr

from .._clock import Clock
from .._errors import (
    GospagesError,
    NotFound,
    ServerError,
    ValidationError,
    answer_shape,
    malformed,
)
from .._models import (
    Capabilities,
    Comment,
    Operation,
    PageProfile,
    Platform,
    Post,
    PostSummary,
    Verification,
    VerificationState,
)
from .._page import READ_FAILURES, OfficialPage, PageReading, Written, as_failure
from .._secrets import register_secret
from .._transport import RetryMode, RetryPolicy, Transport
from ._api import DEFAULT_API_URL, OKApi

__all__ = ["MSK", "OKPage"]

MSK = timezone(timedelta(hours=3))
"""Moscow time (UTC+3 all year since 2014): OK reads ``publishAt`` and writes dates in it."""

INFO_FIELDS = (
    "uid,name,description,members_count,homepage_url,phone,address,city,pic_avatar,"
    "status,premium,private,shortname,gos_org,content_as_official"
)
_PAGE_SIZE = 100
_READ_BACK = 20


def to_moscow(value: datetime) -> str:
    """``value`` (aware) as OK's ``publishAt``: ``YYYY-MM-DD HH:MM:SS`` in Moscow time."""
    return value.astimezone(MSK).strftime("%Y-%m-%d %H:%M:%S")


GET_INFO_MAX = 100
"""``group.getInfo`` takes up to 100 ``uids`` a call."""
_CONCURRENT = 8


async def _infos(pages: Sequence[OKPage], readings: Sequence[PageReading]) -> None:
    """Profiles and marks of ``pages`` from one ``group.getInfo``."""
    try:
        answer = await pages[0].api.call(
            "group.getInfo", {"uids": ",".join(p.page_id for p in pages), "fields": INFO_FIELDS}
        )
        with answer_shape(Platform.OK, "group.getInfo"):
            groups = answer.get("groups") if isinstance(answer, dict) else answer
            if not isinstance(groups, list):
                raise TypeError("groups is not a list")
            found = {str(g.get("uid")): g for g in groups if isinstance(g, dict)}
    except READ_FAILURES as error:
        failure = as_failure(error, Platform.OK, "group.getInfo")
        for reading in readings:
            reading.error = failure
        return
    for page, reading in zip(pages, readings, strict=True):
        info = found.get(page.page_id)
        try:
            if info is None:
                raise NotFound(
                    f"Группа Одноклассников {page.page_id} не найдена или недоступна",
                    platform=Platform.OK,
                    method="group.getInfo",
                )
            with answer_shape(Platform.OK, "group.getInfo"):
                reading.profile = page._profile_from(info)
                reading.verification = page._verification_from(info)
        except GospagesError as error:
            reading.error = error


class OKPage(OfficialPage):
    """An official OK group.

    Args:
        group_id: the group's numeric id (``53038939046008``).
        application_key: the application's public key.
        application_secret_key: the application's secret key (signs requests).
        access_token: an access token of a group administrator with the application's
            permissions (``VALUABLE_ACCESS``, ``GROUP_CONTENT``, ``PHOTO_CONTENT``).
        http_client: an ``httpx.AsyncClient`` to use (its transport may be a fake).
        api_url: ``https://api.ok.ru/fb.do`` by default.
        retry: how failed reads are retried; writes are never resent blindly.
        requests_per_second: self-imposed pace (OK publishes no limits; 1/s is safe).
        clock: the time the rate limits and retry pauses run on (real time by default,
            or the fake's when ``http_client`` comes from a gospages fake).
        timeout: seconds to wait for OK.
    """

    platform = Platform.OK

    def __init__(
        self,
        group_id: int | str,
        *,
        application_key: str,
        application_secret_key: SecretStr | str,
        access_token: SecretStr | str,
        http_client: httpx.AsyncClient | None = None,
        api_url: str = DEFAULT_API_URL,
        retry: RetryPolicy | None = None,
        requests_per_second: float = 1.0,
        timeout: float = 30.0,
        clock: Clock | None = None,
    ) -> None:
        gid = str(group_id).strip()
        if not gid.isdigit():
            raise ValidationError(f"OKPage: id группы должен быть числом, а не «{group_id}»")
        if not application_key.strip():
            raise ValidationError("OKPage: пустой application_key")
        secrets = []
        for name, value in (
            ("application_secret_key", application_secret_key),
            ("access_token", access_token),
        ):
            secret = value if isinstance(value, SecretStr) else SecretStr(value)
            if not secret.get_secret_value().strip():
                raise ValidationError(f"OKPage: пустой {name}")
            register_secret(secret)
            secrets.append(secret)
        self._gid = gid
        self._transport = Transport(
            Platform.OK, http_client=http_client, timeout=timeout, retry=retry, clock=clock
        )
        self._api = OKApi(
            application_key=application_key,
            application_secret_key=secrets[0],
            access_token=secrets[1],
            transport=self._transport,
            api_url=api_url,
            requests_per_second=requests_per_second,
        )

    def __repr__(self) -> str:
        return f"OKPage(group_id={self._gid!r}, application_key={self._api.application_key!r})"

    @property
    def page_id(self) -> str:
        return self._gid

    @property
    def api(self) -> OKApi:
        """The low-level caller, for OK methods gospages does not wrap yet."""
        return self._api

    async def aclose(self) -> None:
        await self._transport.aclose()

    def capabilities(self) -> Capabilities:
        # OK has one kind of token; what it may do depends on the application's
        # permissions, which only OK knows. Everything is allowed here, and a missing
        # permission comes back as TokenTypeError (OK error 200).
        return Capabilities(
            platform=Platform.OK,
            allowed=frozenset(Operation) - {Operation.BAN},
            missing={
                Operation.BAN: "блокировку пользователей публичный API OK группам не даёт: "
                "блокируйте в интерфейсе группы"
            },
            warnings={
                Operation.REPLY: (
                    "ответ идёт через discussions.addDiscussionComment с as_admin=true; "
                    "приложению может понадобиться разрешение OK на этот метод"
                ),
                Operation.VERIFICATION: (
                    "у OK нет документированного поля подтверждения через Госуслуги; "
                    "без поля gos_org ответ — «неизвестно»"
                ),
            },
        )

    # -- the group -----------------------------------------------------------------------

    async def _info(self) -> dict[str, Any]:
        answer = await self._api.call("group.getInfo", {"uids": self._gid, "fields": INFO_FIELDS})
        with answer_shape(Platform.OK, "group.getInfo"):
            groups = answer.get("groups") if isinstance(answer, dict) else answer
            if not groups:
                raise NotFound(
                    f"Группа Одноклассников {self._gid} не найдена или недоступна",
                    platform=Platform.OK,
                    method="group.getInfo",
                )
            group: dict[str, Any] = groups[0]
            if not isinstance(group, dict):
                raise TypeError("group is not an object")
        return group

    async def profile(self) -> PageProfile:
        info = await self._info()
        with answer_shape(Platform.OK, "group.getInfo"):
            return self._profile_from(info)

    def _profile_from(self, info: dict[str, Any]) -> PageProfile:
        known = {
            "uid",
            "name",
            "description",
            "members_count",
            "homepage_url",
            "phone",
            "address",
            "pic_avatar",
            "status",
            "shortname",
            "private",
        }
        address = info.get("address")
        if isinstance(address, Mapping):
            address = ", ".join(str(v) for v in address.values() if v)
        shortname = info.get("shortname")
        return PageProfile(
            platform=Platform.OK,
            id=self._gid,
            name=info.get("name") or "",
            screen_name=shortname,
            url=f"https://ok.ru/{shortname}" if shortname else f"https://ok.ru/group/{self._gid}",
            description=info.get("description") or "",
            status=info.get("status") or None,
            phones=[str(info["phone"])] if info.get("phone") else [],
            addresses=[str(address)] if address else [],
            site=info.get("homepage_url") or None,
            avatar_url=info.get("pic_avatar") or None,
            members_count=info.get("members_count"),
            is_closed=None if info.get("private") is None else bool(info.get("private")),
            extras={k: v for k, v in info.items() if k not in known},
        )

    async def verification(self) -> Verification:
        info = await self._info()
        with answer_shape(Platform.OK, "group.getInfo"):
            return self._verification_from(info)

    def _verification_from(self, info: dict[str, Any]) -> Verification:
        marks = {k: info[k] for k in ("gos_org", "content_as_official") if k in info}
        if "gos_org" in info:
            confirmed = bool(info["gos_org"])
            return Verification(
                platform=Platform.OK,
                page=self._gid,
                state=VerificationState.CONFIRMED if confirmed else VerificationState.NOT_CONFIRMED,
                marks=marks,
                explanation="по полю gos_org (недокументированное поле OK)",
            )
        return Verification(
            platform=Platform.OK,
            page=self._gid,
            state=VerificationState.UNKNOWN,
            marks=marks,
            explanation=(
                "OK не вернул поля подтверждения через Госуслуги (в API оно не "
                "документировано): проверьте отметку на странице группы"
            ),
        )

    # -- reading many groups --------------------------------------------------------------

    batch_size = GET_INFO_MAX

    @classmethod
    def batch_key(cls, page: OfficialPage) -> Hashable | None:
        """Groups read with the same application and token (and API and clock)."""
        if not isinstance(page, OKPage):
            return None
        api = page.api
        token = hashlib.sha256(api._token.get_secret_value().encode()).hexdigest()
        return (cls, api.api_url, api.application_key, token, api.transport.clock)

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
        """Profiles and marks of up to 100 groups a ``group.getInfo`` call; the posts
        and comments of each group one by one, on the token's own pace."""
        ok = [p for p in pages if isinstance(p, OKPage)]
        if len(ok) != len(pages) or len({cls.batch_key(p) for p in ok}) > 1:
            raise ValidationError("OKPage.read_many: страницы с разными ключами читаются порознь")
        readings = [PageReading() for _ in ok]
        for start in range(0, len(ok), GET_INFO_MAX):
            await _infos(ok[start : start + GET_INFO_MAX], readings[start : start + GET_INFO_MAX])
        gate = asyncio.Semaphore(_CONCURRENT)

        async def rest(i: int) -> int:
            if readings[i].error is None:
                async with gate:
                    await ok[i]._read_rest(readings[i], since, until, comments, max_posts)
            return i

        tasks = [asyncio.ensure_future(rest(i)) for i in range(len(ok))]
        try:
            for finished in asyncio.as_completed(tasks):
                i = await finished
                yield i, readings[i]
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    # -- reading -------------------------------------------------------------------------

    async def _pages(
        self, method: str, params: Mapping[str, Any], key: str
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """The item lists of an anchor-paged OK method, until it has no more.

        Stops when OK repeats an anchor or a page brings nothing new, so a misbehaving
        answer cannot loop forever.
        """
        anchor: str | None = None
        seen_anchors: set[str] = set()
        seen_ids: set[str] = set()
        while True:
            page = await self._api.call(
                method, {**params, "anchor": anchor, "direction": "FORWARD", "count": _PAGE_SIZE}
            )
            with answer_shape(Platform.OK, method):
                if not isinstance(page, dict):
                    raise TypeError("page is not an object")
                items = page.get(key) or []
                if not isinstance(items, list):
                    raise TypeError("items is not a list")
                fresh = [
                    i
                    for i in items
                    if isinstance(i, dict)
                    and isinstance(i.get("id"), (str, int))
                    and str(i.get("id")) not in seen_ids
                ]
                seen_ids.update(str(i.get("id")) for i in fresh)
                anchor = page.get("anchor")
                more = bool(page.get("has_more"))
                if anchor is not None and not isinstance(anchor, str):
                    raise TypeError("anchor is not a string")
            if fresh:
                yield fresh
            if not fresh or not more or not anchor or anchor in seen_anchors:
                return
            seen_anchors.add(anchor)

    async def _posts(
        self, since: datetime | None, until: datetime | None
    ) -> AsyncIterator[PostSummary]:
        params = {"gid": self._gid, "filter": "GROUP_THEMES", "fields": "media_topic.*"}
        async for topics in self._pages("mediatopic.getTopics", params, "media_topics"):
            with answer_shape(Platform.OK, "mediatopic.getTopics"):
                posts = [self._post_from(t) for t in topics if t.get("created_ms")]
            for post in posts:
                yield post
            # Topics come newest first: a page wholly older than ``since`` ends the walk.
            if since is not None and posts and all(p.date < since for p in posts):
                return

    def _post_from(self, topic: Mapping[str, Any]) -> PostSummary:
        media = topic.get("media") or []
        text = "\n".join(str(m.get("text", "")) for m in media if m.get("type") == "text")
        topic_id = str(topic["id"])
        created = topic.get("created_ms")
        return PostSummary(
            platform=Platform.OK,
            page=self._gid,
            id=topic_id,
            date=datetime.fromtimestamp((created or 0) / 1000, tz=timezone.utc),
            text=text,
            url=f"https://ok.ru/group/{self._gid}/topic/{topic_id}",
            likes=(topic.get("like_summary") or {}).get("count"),
            reposts=(topic.get("reshare_summary") or {}).get("count"),
            comments_count=(topic.get("discussion_summary") or {}).get("comments_count"),
            attachments=[str(m.get("type")) for m in media if m.get("type") != "text"],
        )

    async def _post_comments(self, post_id: str, since: datetime | None) -> AsyncIterator[Comment]:
        threads: dict[str, str] = {}  # comment id -> the top comment of its thread
        params = {"discussionId": post_id, "discussionType": "GROUP_TOPIC"}
        async for items in self._pages("discussions.getComments", params, "comments"):
            with answer_shape(Platform.OK, "discussions.getComments"):
                comments = [self._comment_from(item, post_id, threads) for item in items]
            for comment in comments:
                yield comment

    def _comment_from(
        self, item: Mapping[str, Any], topic_id: str, threads: dict[str, str]
    ) -> Comment:
        comment_id = str(item["id"])
        parent = item.get("reply_to_comment_id")
        parent = str(parent) if parent else None
        root = threads.get(parent, parent) if parent else None
        threads[comment_id] = root or comment_id
        return Comment(
            platform=Platform.OK,
            page=self._gid,
            id=comment_id,
            post_id=topic_id,
            author_id=str(item["author_id"]) if item.get("author_id") else None,
            date=_ok_date(item.get("date")),
            text=item.get("text") or "",
            parent_id=parent,
            thread_id=root,
            deleted=item.get("type") == "REMOVED" or bool(item.get("deleted")),
            from_page=item.get("author_type") == "GROUP" or str(item.get("author_id")) == self._gid,
        )

    # -- writing -------------------------------------------------------------------------

    _answer_of = "Ответ Одноклассников"
    _refusal = "Публикация не пройдёт в Одноклассниках"

    async def _prepare_post(self, post: Post) -> dict[str, Any]:
        """The ``attachment`` of ``mediatopic.post``, photos uploaded."""
        images = [(photo.name, self._read_photo(photo)) for photo in post.photos]
        media: list[dict[str, Any]] = []
        if post.text.strip():
            media.append({"type": "text", "text": post.text})
        if images:
            media.append({"type": "photo", "list": [{"id": t} for t in await self._upload(images)]})
        media.extend({"type": "link", "url": str(link.url)} for link in post.links)
        for poll in post.polls:
            options = ["MultipleChoice" if poll.multiple else "SingleChoice"]
            if poll.anonymous:
                options.append("AnonymousVoting")
            media.append(
                {
                    "type": "poll",
                    "question": poll.question,
                    "answers": [{"text": a} for a in poll.answers],
                    "options": ",".join(options),
                }
            )
        attachment: dict[str, Any] = {"media": media, "onBehalfOfGroup": "true"}
        if post.publish_at is not None:
            attachment["publishAt"] = to_moscow(post.publish_at)
        if post.close_comments:
            attachment["disableComments"] = "true"
        return attachment

    async def _send_post(self, post: Post, prepared: dict[str, Any]) -> str:
        answer = await self._api.call(
            "mediatopic.post",
            {
                "gid": self._gid,
                "type": "GROUP_THEME",
                "attachment": json.dumps(prepared, ensure_ascii=False),
            },
            retry=RetryMode.UNSAFE,  # OK has no idempotency key: read back instead
        )
        # OK answers the new topic's id, a number (as a JSON string or number). Anything
        # else says nothing of the outcome: a malformed answer, read back like a lost one.
        if isinstance(answer, bool) or not isinstance(answer, (str, int)):
            raise malformed(Platform.OK, "mediatopic.post")
        topic_id = str(answer).strip()
        if not topic_id.isdigit() or int(topic_id) <= 0:
            raise malformed(Platform.OK, "mediatopic.post")
        return topic_id

    async def _baseline(self, post: Post, prepared: dict[str, Any]) -> set[str] | None:
        # The newest topics before sending: after a lost answer only a newer topic with
        # the same content counts, never an earlier identical one. A scheduled topic is
        # not in the feed: it is not looked for.
        return None if post.publish_at else await self._recent_topic_ids()

    async def _find_written(
        self, post: Post, prepared: dict[str, Any], baseline: set[str]
    ) -> str | None:
        return await self._find_published(prepared["media"], baseline)

    def _post_url(self, prepared: Any, post_id: str) -> str:
        return f"https://ok.ru/group/{self._gid}/topic/{post_id}"

    def _lost_note(self, written: Written[Any]) -> str:
        if written.value is not None:
            return "Ответ Одноклассников потерян; запись найдена в ленте группы при проверке."
        return (
            f"Ответ Одноклассников потерян ({type(written.lost).__name__}), запись при "
            "проверке не найдена. Не публикуйте повторно, пока не посмотрите "
            "ленту группы: у OK нет защиты от дублей."
        )

    async def _upload(self, images: list[tuple[str, bytes]]) -> list[str]:
        server = await self._api.call(
            "photosV2.getUploadUrl", {"gid": self._gid, "count": len(images)}
        )
        with answer_shape(Platform.OK, "photosV2.getUploadUrl"):
            photo_ids: list[str] = [str(p) for p in server["photo_ids"]]
            upload_url = str(server["upload_url"])
        files = {f"pic{i}": image for i, image in enumerate(images, start=1)}
        uploaded = await self._api.upload(upload_url, files)
        try:
            photos = uploaded.get("photos") or {}
            return [str(photos[pid]["token"]) for pid in photo_ids]
        except (LookupError, TypeError, AttributeError):
            raise ServerError(
                "Одноклассники не вернули токены загруженных фото",
                platform=Platform.OK,
                method="upload",
            ) from None

    async def _newest_topics(self) -> list[dict[str, Any]] | None:
        """The group's newest topics; ``None`` when they cannot be read."""
        try:
            answer = await self._api.call(
                "mediatopic.getTopics",
                {
                    "gid": self._gid,
                    "count": _READ_BACK,
                    "filter": "GROUP_THEMES",
                    "fields": "media_topic.*",
                },
            )
        except GospagesError:
            return None
        topics = answer.get("media_topics") if isinstance(answer, dict) else None
        if not isinstance(topics, list):
            return None if topics is not None else []
        return [t for t in topics if isinstance(t, dict)]

    async def _recent_topic_ids(self) -> set[str] | None:
        topics = await self._newest_topics()
        return None if topics is None else {str(t.get("id")) for t in topics}

    async def _find_published(self, media: list[dict[str, Any]], baseline: set[str]) -> str | None:
        """A topic newer than ``baseline`` with the same text and kinds of media."""
        wanted = _shape(media)
        for topic in await self._newest_topics() or []:
            topic_id = str(topic.get("id"))
            if topic_id not in baseline and _shape(topic.get("media") or []) == wanted:
                return topic_id
        return None

    async def _send_reply(self, comment: Comment, text: str, target: Any) -> Comment:
        answer = await self._api.call(
            "discussions.addDiscussionComment",
            {
                "entityId": comment.post_id,
                "entityType": "GROUP_TOPIC",
                "comment": text,
                "reply_to_comment_id": comment.id,
                "as_admin": "true",
            },
            retry=RetryMode.UNSAFE,  # no idempotency key: the thread is read back instead
        )
        new_id = answer.get("id") if isinstance(answer, Mapping) else answer
        if isinstance(new_id, bool) or not isinstance(new_id, (str, int)) or not str(new_id):
            raise malformed(Platform.OK, "discussions.addDiscussionComment")
        return Comment(
            platform=Platform.OK,
            page=self._gid,
            id=str(new_id),
            post_id=comment.post_id,
            author_id=self._gid,
            date=datetime.now(timezone.utc),
            text=text,
            parent_id=comment.id,
            thread_id=comment.thread_id or comment.id,
            from_page=True,
        )

    async def _send_delete(self, comment: Comment) -> None:
        await self._api.call(
            "discussions.deleteDiscussionComment",
            {
                "discussionId": comment.post_id,
                "discussionType": "GROUP_TOPIC",
                "comment_id": comment.id,
            },
            retry=RetryMode.UNSAFE,
        )


def _shape(media: Any) -> tuple[tuple[str, str], ...]:
    """What a topic is made of: its text and the kinds of its other blocks, in order."""
    if not isinstance(media, list):
        return ()
    return tuple(
        (str(m.get("type")), str(m.get("text", "")).strip() if m.get("type") == "text" else "")
        for m in media
        if isinstance(m, dict)
    )


def _ok_date(value: Any) -> datetime | None:
    """OK writes comment dates as ``YYYY-MM-DD HH:MM:SS`` in Moscow time."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=MSK)
    except ValueError:
        return None
