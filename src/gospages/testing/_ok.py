"""A stateful fake of the OK (Odnoklassniki) REST API at ``https://api.ok.ru/fb.do``.

It checks the signature of every request exactly as OK computes it (error 104 when it
is missing or wrong), the application key (101) and the access token (102), answers
``group.getInfo`` as a top-level array, ``mediatopic.post`` as a bare JSON string,
``discussions.getComments`` with anchors, and the ``photosV2`` upload flow whose tokens
go straight into a topic (no commit). OK publishes no rate limits; ``flood_limit``
requests per second per token, when set, answer error 8 (FLOOD_BLOCKED) beyond it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl

import httpx

from .._clock import Clock
from ._base import FakeCall, FakeError, FakeHTTPPlatform, UnsupportedByFake

__all__ = ["FakeOK", "FakeOKComment", "FakeOKGroup", "FakeOKTopic"]

MSK = timezone(timedelta(hours=3))

_METHODS = {
    "group.getInfo",
    "mediatopic.getTopics",
    "mediatopic.post",
    "discussions.getComments",
    "discussions.addDiscussionComment",
    "discussions.deleteDiscussionComment",
    "photosV2.getUploadUrl",
}


@dataclass
class FakeOKComment:
    id: str
    author_id: str
    text: str
    date: float
    author_type: str = "USER"
    reply_to_comment_id: str | None = None
    deleted: bool = False


@dataclass
class FakeOKTopic:
    id: str
    created_ms: int
    media: list[dict[str, Any]]
    publish_at: float | None = None
    comments_disabled: bool = False
    likes: int = 0
    comments: list[FakeOKComment] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(m.get("text", "") for m in self.media if m.get("type") == "text")


@dataclass
class FakeOKGroup:
    """One OK group. ``fields`` holds what ``group.getInfo`` returns besides uid and name."""

    uid: str
    name: str
    fields: dict[str, Any] = field(default_factory=dict)
    topics: list[FakeOKTopic] = field(default_factory=list)
    admins: set[str] = field(default_factory=set)


class FakeOK(FakeHTTPPlatform):
    """A fake OK API server, in process.

    >>> fake = FakeOK()
    >>> fake.add_app("CBAQLKJKEBABABABA", secret_key="0123456789ABCDEF01234567")
    >>> fake.add_group("53038939046008", "Администрация", admins=["575662066926"])
    >>> fake.add_token("tkn1-user", user_id="575662066926")
    """

    default_base_url = "https://api.ok.ru"
    transient_codes = (2, 5000)

    def __init__(
        self,
        *,
        flood_limit: int | None = None,
        clock: Clock | Callable[[], float] | None = None,
        now: Callable[[], float] | None = None,
    ) -> None:
        self.flood_limit = flood_limit
        super().__init__(rate_limits=flood_limit is not None, clock=clock, now=now)

    def reset(self) -> None:
        """Forget everything: apps, groups, tokens, recorded calls, queued faults."""
        super().reset()
        self.apps: dict[str, str] = {}
        self.groups: dict[str, FakeOKGroup] = {}
        self.tokens: dict[str, str] = {}
        self._uploads: dict[str, dict[str, Any]] = {}
        self._photo_tokens: set[str] = set()
        self._seq = 70102413183000

    # -- state -------------------------------------------------------------------------

    def add_app(self, application_key: str, *, secret_key: str) -> None:
        self.apps[application_key] = secret_key

    def add_token(self, token: str, *, user_id: str) -> None:
        self.tokens[token] = user_id

    def add_group(
        self, uid: str, name: str, *, admins: Iterable[str] = (), **fields: Any
    ) -> FakeOKGroup:
        """Add a group; ``fields`` are ``group.getInfo`` fields (``members_count`` ...)."""
        group = FakeOKGroup(uid, name, {"members_count": 0, **fields}, admins=set(admins))
        self.groups[uid] = group
        return group

    def add_topic(
        self, uid: str, text: str, *, date: float | None = None, likes: int = 0
    ) -> FakeOKTopic:
        created = date if date is not None else self._now()
        topic = FakeOKTopic(
            self._next_id(), int(created * 1000), [{"type": "text", "text": text}], likes=likes
        )
        self.groups[uid].topics.append(topic)
        return topic

    def add_comment(
        self,
        uid: str,
        topic_id: str,
        text: str,
        *,
        author_id: str,
        date: float | None = None,
        reply_to: str | None = None,
        from_group: bool = False,
    ) -> FakeOKComment:
        topic = self._topic(self.groups[uid], topic_id)
        comment = FakeOKComment(
            id=f"MTM{self._next_id()}",
            author_id=uid if from_group else author_id,
            text=text,
            date=date if date is not None else self._now(),
            author_type="GROUP" if from_group else "USER",
            reply_to_comment_id=reply_to,
        )
        topic.comments.append(comment)
        return comment

    # -- HTTP --------------------------------------------------------------------------

    def handler(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/upload/"):
            return self._upload(request)
        if request.url.path != "/fb.do":
            return httpx.Response(404, text="Not Found")
        params = dict(parse_qsl(request.content.decode(), keep_blank_values=True))
        params.update(dict(request.url.params.items()))
        method = params.get("method", "")
        token = params.get("access_token")
        visible = {k: v for k, v in params.items() if k not in ("access_token", "sig")}
        self.calls.append(FakeCall(method, visible, "user", str(request.url)))
        injected, lose = self._take_fault(method)
        if injected is not None:
            return injected
        try:
            self._check_signature(params)
            user_id = self.tokens.get(token or "")
            if user_id is None:
                raise FakeError(102, "PARAM_SESSION_EXPIRED : Session expired")
            if self.flood_limit is not None and self._over_rate(token or "", self.flood_limit):
                raise FakeError(8, "FLOOD_BLOCKED : Flood blocked")
            if method not in _METHODS:
                raise UnsupportedByFake(f"FakeOK does not implement {method}")
            handler = getattr(self, "_m_" + method.replace(".", "_"))
            result = handler(params, user_id)
        except FakeError as error:
            return self._error_response(error, method, params)
        if lose:
            raise httpx.ReadTimeout("fake: the answer was lost", request=request)
        return httpx.Response(200, json=result)

    def _error_response(
        self, error: FakeError, method: str, params: Mapping[str, str]
    ) -> httpx.Response:
        body = {"error_code": error.code, "error_msg": error.msg, "error_data": None}
        return httpx.Response(200, json=body, headers={"invocation-error": str(error.code)})

    def _check_signature(self, params: Mapping[str, str]) -> None:
        app = params.get("application_key", "")
        if app not in self.apps:
            raise FakeError(101, "PARAM_API_KEY : Application key is invalid")
        sig = params.get("sig")
        if not sig:
            raise FakeError(104, "PARAM_SIGNATURE : No signature specified")
        secret = hashlib.md5(  # noqa: S324 (OK's protocol)
            (params.get("access_token", "") + self.apps[app]).encode()
        ).hexdigest()
        joined = "".join(
            f"{k}={v}"
            for k, v in sorted(params.items())
            if k not in ("access_token", "session_key", "sig") and v != ""
        )
        expected = hashlib.md5((joined + secret).encode()).hexdigest()  # noqa: S324
        if sig != expected:
            raise FakeError(104, "PARAM_SIGNATURE : Invalid signature " + sig)

    # -- methods -------------------------------------------------------------------------

    def _m_group_getInfo(self, p: dict[str, str], user_id: str) -> Any:
        if not p.get("fields"):
            raise FakeError(100, "PARAM : Missing required parameter fields")
        wanted = {f.strip().lower() for f in p["fields"].split(",")}
        out = []
        for uid in p.get("uids", "").split(","):
            group = self.groups.get(uid.strip())
            if group is None:
                continue  # OK leaves unknown ids out of the array
            obj: dict[str, Any] = {"uid": group.uid}
            if "name" in wanted:
                obj["name"] = group.name
            for key, value in group.fields.items():
                if key.lower() in wanted:
                    obj[key] = value
            out.append(obj)
        return out

    def _m_mediatopic_getTopics(self, p: dict[str, str], user_id: str) -> Any:
        group = self._group(p.get("gid", ""))
        now = self._now()
        topics = [t for t in group.topics if t.publish_at is None or t.publish_at <= now]
        topics.sort(key=lambda t: (-t.created_ms, t.id))
        start = int(p["anchor"]) if p.get("anchor") else 0
        count = int(p.get("count") or 20)
        if not 1 <= count <= 100:
            raise FakeError(100, "PARAM : count must be 1..100")
        page = topics[start : start + count]
        return {
            "media_topics": [self._topic_obj(group, t) for t in page],
            "anchor": str(start + len(page)),
            "has_more": start + len(page) < len(topics),
        }

    def _m_mediatopic_post(self, p: dict[str, str], user_id: str) -> Any:
        group = self._group(p.get("gid", ""))
        if p.get("type") != "GROUP_THEME":
            raise FakeError(100, "PARAM : type must be GROUP_THEME for a group")
        if user_id not in group.admins:
            raise FakeError(50, "NOT_ADMIN : User is not an admin of the group")
        try:
            attachment = json.loads(p.get("attachment", ""))
        except json.JSONDecodeError:
            raise FakeError(100, "PARAM : attachment is not valid JSON") from None
        media = attachment.get("media") or []
        if not media:
            raise FakeError(100, "PARAM : attachment.media is empty")
        for block in media:
            if block.get("type") == "photo":
                for item in block.get("list") or []:
                    if item.get("id") not in self._photo_tokens:
                        raise FakeError(500, "PHOTO : Unknown photo token")
            if block.get("type") == "poll" and not 2 <= len(block.get("answers") or []) <= 10:
                raise FakeError(603, "MEDIA_TOPIC_POLL_ANSWERS_LIMIT")
        publish_at = None
        if attachment.get("publishAt"):
            when = datetime.strptime(attachment["publishAt"], "%Y-%m-%d %H:%M:%S")
            publish_at = when.replace(tzinfo=MSK).timestamp()
            if publish_at <= self._now():
                raise FakeError(100, "PARAM : publishAt must be in the future")
        topic = FakeOKTopic(
            self._next_id(),
            int((publish_at or self._now()) * 1000),
            media,
            publish_at=publish_at,
            comments_disabled=str(attachment.get("disableComments")).lower() == "true",
        )
        group.topics.append(topic)
        return topic.id  # a bare JSON string

    def _m_discussions_getComments(self, p: dict[str, str], user_id: str) -> Any:
        if p.get("discussionType") != "GROUP_TOPIC":
            raise FakeError(100, "PARAM : discussionType")
        _, topic = self._find_topic(p.get("discussionId", ""))
        live = [c for c in topic.comments if not c.deleted]
        live.sort(key=lambda c: (c.date, c.id))
        start = int(p["anchor"]) if p.get("anchor", "").isdigit() else 0
        count = int(p.get("count") or 20)
        page = live[start : start + count]
        return {
            "comments": [_comment_obj(c) for c in page],
            "anchor": str(start + len(page)),
            "has_more": start + len(page) < len(live),
        }

    def _m_discussions_addDiscussionComment(self, p: dict[str, str], user_id: str) -> Any:
        if p.get("entityType") != "GROUP_TOPIC":
            raise FakeError(100, "PARAM : entityType")
        group, topic = self._find_topic(p.get("entityId", ""))
        if topic.comments_disabled:
            raise FakeError(456, "GROUP_RESTRICTION : Comments are disabled")
        text = p.get("comment", "")
        if not text:
            raise FakeError(100, "PARAM : comment is empty")
        as_admin = p.get("as_admin") == "true"
        if as_admin and user_id not in group.admins:
            raise FakeError(50, "NOT_ADMIN : User is not an admin of the group")
        reply_to = p.get("reply_to_comment_id") or None
        if reply_to and not any(c.id == reply_to for c in topic.comments):
            raise FakeError(700, "COMMENT_NOT_FOUND")
        comment = self.add_comment(
            group.uid, topic.id, text, author_id=user_id, reply_to=reply_to, from_group=as_admin
        )
        return {"id": comment.id}

    def _m_discussions_deleteDiscussionComment(self, p: dict[str, str], user_id: str) -> Any:
        group, topic = self._find_topic(p.get("discussionId", ""))
        if user_id not in group.admins:
            raise FakeError(10, "PERMISSION_DENIED : Only the group's admins delete comments")
        for comment in topic.comments:
            if comment.id == p.get("comment_id") and not comment.deleted:
                comment.deleted = True
                return True
        raise FakeError(700, "COMMENT_NOT_FOUND")

    def _m_photosV2_getUploadUrl(self, p: dict[str, str], user_id: str) -> Any:
        group = self._group(p.get("gid", ""))
        if user_id not in group.admins:
            raise FakeError(50, "NOT_ADMIN : User is not an admin of the group")
        count = int(p.get("count") or 1)
        if not 1 <= count <= 40:
            raise FakeError(100, "PARAM : count must be 1..40")
        key = f"u{next(self._ids)}"
        photo_ids = [f"ph{next(self._ids)}" for _ in range(count)]
        self._uploads[key] = {"photo_ids": photo_ids}
        return {
            "upload_url": f"{self.base_url}/upload/{key}",
            "photo_ids": photo_ids,
            "expires_ms": int((self._now() + 3600) * 1000),
            "ttl_ms": 3_600_000,
        }

    def _upload(self, request: httpx.Request) -> httpx.Response:
        upload = self._uploads.get(request.url.path.rsplit("/", 1)[-1])
        if upload is None:
            return httpx.Response(200, json={"error_code": 100, "error_msg": "PARAM : upload"})
        body = request.content
        photos: dict[str, Any] = {}
        for index, photo_id in enumerate(upload["photo_ids"], start=1):
            if f'name="pic{index}"'.encode() in body:
                token = f"tok-{photo_id}"
                self._photo_tokens.add(token)
                photos[photo_id] = {"token": token}
        if not photos:
            return httpx.Response(200, json={"error_code": 100, "error_msg": "PARAM : no pic1"})
        return httpx.Response(200, json={"photos": photos})

    # -- helpers -------------------------------------------------------------------------

    def _next_id(self) -> str:
        self._seq += 1
        return str(self._seq)

    def _group(self, uid: str) -> FakeOKGroup:
        group = self.groups.get(uid)
        if group is None:
            raise FakeError(160, "PARAM_GROUP_ID : Invalid group id")
        return group

    @staticmethod
    def _topic(group: FakeOKGroup, topic_id: str) -> FakeOKTopic:
        for topic in group.topics:
            if topic.id == topic_id:
                return topic
        raise FakeError(300, "NOT_FOUND : Topic not found")

    def _find_topic(self, topic_id: str) -> tuple[FakeOKGroup, FakeOKTopic]:
        for group in self.groups.values():
            for topic in group.topics:
                if topic.id == topic_id:
                    return group, topic
        raise FakeError(300, "NOT_FOUND : Discussion not found")

    def _topic_obj(self, group: FakeOKGroup, topic: FakeOKTopic) -> dict[str, Any]:
        return {
            "id": topic.id,
            "created_ms": topic.created_ms,
            "author_ref": f"group:{group.uid}",
            "owner_ref": f"group:{group.uid}",
            "media": topic.media,
            "discussion_summary": {
                "comments_count": sum(1 for c in topic.comments if not c.deleted)
            },
            "like_summary": {"count": topic.likes},
            "reshare_summary": {"count": 0},
        }


def _comment_obj(c: FakeOKComment) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "id": c.id,
        "type": "ACTIVE_MESSAGE",
        "author_id": c.author_id,
        "author_type": c.author_type,
        "date": datetime.fromtimestamp(c.date, tz=MSK).strftime("%Y-%m-%d %H:%M:%S"),
        "text": c.text,
        "like_count": 0,
        "liked_it": False,
    }
    if c.reply_to_comment_id:
        obj["reply_to_comment_id"] = c.reply_to_comment_id
    return obj
