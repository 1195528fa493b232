"""A stateful fake of the VK API that speaks its real shapes (API 5.199).

It answers what the project's record of the VK API (``platform-apis.md``) says: errors with HTTP 200
and ``request_params`` echoed, which token kinds each method accepts (error 27 for a
community key on a user-only method, 28 for a service key), 3/3/20 requests per second
per token (error 6), ``guid`` de-duplication, the three-step photo upload with ``photo``
as a JSON *string*, threads in ``wall.getComments`` and deleted comments with an empty
text. Its answers are checked against VK's official JSON schema
(tests/test_fake_vk_schema.py).

A method the fake does not implement raises `UnsupportedByFake` in the test
instead of answering something plausible.
"""

from __future__ import annotations

import collections
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import httpx

from .._clock import Clock
from ._base import FakeCall, FakeError, FakeHTTPPlatform, UnsupportedByFake

__all__ = ["FakeComment", "FakeGroup", "FakePost", "FakeVK", "VKCall"]


# Which token kinds each method accepts, written from VK's schema independently of the
# library's own table, so a mistake there is caught here.
_ACCEPTS: dict[str, frozenset[str]] = {
    "groups.getById": frozenset({"user", "community", "service"}),
    "wall.get": frozenset({"user", "service"}),
    "wall.getComments": frozenset({"user", "service"}),
    "wall.post": frozenset({"user"}),
    "wall.deleteComment": frozenset({"user"}),
    "wall.createComment": frozenset({"user", "community"}),
    "photos.getWallUploadServer": frozenset({"user"}),
    "photos.saveWallPhoto": frozenset({"user"}),
    "polls.create": frozenset({"user"}),
    "execute": frozenset({"user", "community"}),
    "groups.ban": frozenset({"user"}),
    "groups.getBanned": frozenset({"user", "community"}),
}
_RATE = {"user": 3, "service": 3, "community": 20}


@dataclass
class _Token:
    kind: str
    user_id: int | None = None
    group_id: int | None = None
    admin_of: frozenset[int] = frozenset()


@dataclass
class FakeComment:
    id: int
    post_id: int
    from_id: int
    date: int
    text: str
    reply_to: int | None = None
    thread_root: int | None = None
    deleted: bool = False


@dataclass
class FakePost:
    id: int
    date: int
    text: str
    from_id: int
    attachments: list[dict[str, Any]] = field(default_factory=list)
    views: int = 0
    likes: int = 0
    reposts: int = 0
    is_pinned: bool = False
    postponed: bool = False
    comments_closed: bool = False
    comments_denied: bool = False
    """``wall.getComments`` answers error 212 (access to the post's comments denied)."""
    comments: list[FakeComment] = field(default_factory=list)


@dataclass
class FakeGroup:
    """One community. ``fields`` holds what ``groups.getById`` returns besides the basics."""

    id: int
    name: str
    screen_name: str
    fields: dict[str, Any] = field(default_factory=dict)
    posts: list[FakePost] = field(default_factory=list)


VKCall = FakeCall


class FakeVK(FakeHTTPPlatform):
    """A fake VK API server, in process.

    >>> fake = FakeVK()
    >>> group = fake.add_group(1, "Администрация", "adm")
    >>> fake.add_token("user-token", kind="user", user_id=7, admin_of=[1])
    >>> page = VKPage("adm", user_token="user-token", http_client=fake.client())  # doctest: +SKIP
    """

    default_base_url = "https://api.vk.ru"
    transient_codes = (6, 10)

    def __init__(
        self,
        *,
        rate_limits: bool = True,
        clock: Clock | Callable[[], float] | None = None,
        now: Callable[[], float] | None = None,
        rates: Mapping[str, int] | None = None,
    ) -> None:
        unknown = set(rates or {}) - set(_RATE)
        if unknown:
            raise ValueError(f"unknown token kinds {sorted(unknown)}")
        self.rates: dict[str, int] = {**_RATE, **(rates or {})}
        """Requests per second allowed per token of each kind (VK: user 3, service 3,
        community 20); a benchmark scales them."""
        super().__init__(rate_limits=rate_limits, clock=clock, now=now)

    # -- state -------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget everything: groups, tokens, recorded calls, queued faults."""
        super().reset()
        self.refused: collections.Counter[str] = collections.Counter()
        """Requests refused with error 6 (too many per second), by token kind."""
        self.groups: dict[int, FakeGroup] = {}
        self._by_name: dict[str, FakeGroup] = {}
        self.tokens: dict[str, _Token] = {}
        self._guids: dict[tuple[int, str], int] = {}
        self._comment_guids: dict[tuple[int, str], int] = {}
        self._uploads: dict[str, dict[str, Any]] = {}
        self._photos: dict[tuple[int, int], dict[str, Any]] = {}
        self._polls: dict[tuple[int, int], dict[str, Any]] = {}
        self.bans: dict[int, dict[int, int | None]] = {}
        """group id -> {user id: end date (unix) or None for good}."""
        self._captchas: dict[str, tuple[str, str]] = {}

    def add_group(
        self, group_id: int, name: str, screen_name: str | None = None, **fields: Any
    ) -> FakeGroup:
        """Add a community; ``fields`` are ``groups.getById`` fields (``members_count`` ...)."""
        defaults: dict[str, Any] = {
            "is_closed": 0,
            "type": "page",
            "wall": 2,
            "members_count": 0,
            "photo_200": f"https://sun.userapi.com/fake/{group_id}.jpg",
            "description": "",
            "verified": 0,
        }
        group = FakeGroup(group_id, name, screen_name or f"club{group_id}", {**defaults, **fields})
        self.groups[group_id] = group
        return group

    def add_token(
        self,
        token: str,
        *,
        kind: str,
        user_id: int | None = None,
        group_id: int | None = None,
        admin_of: Iterable[int] = (),
    ) -> None:
        """Accept ``token`` as a ``user``, ``community`` or ``service`` key."""
        if kind not in _RATE:
            raise ValueError(f"unknown token kind {kind!r}")
        admin = frozenset(admin_of) | ({group_id} if group_id is not None else frozenset())
        self.tokens[token] = _Token(kind, user_id, group_id, admin)

    def revoke_token(self, token: str) -> None:
        self.tokens.pop(token, None)

    def add_post(
        self,
        group_id: int,
        text: str,
        *,
        date: float | None = None,
        views: int = 0,
        likes: int = 0,
        is_pinned: bool = False,
    ) -> FakePost:
        group = self.groups[group_id]
        post = FakePost(
            id=self._next_post_id(group),
            date=int(date if date is not None else self._now()),
            text=text,
            from_id=-group_id,
            views=views,
            likes=likes,
            is_pinned=is_pinned,
        )
        group.posts.append(post)
        return post

    def add_comment(
        self,
        group_id: int,
        post_id: int,
        text: str,
        *,
        from_id: int,
        date: float | None = None,
        reply_to: int | None = None,
        deleted: bool = False,
    ) -> FakeComment:
        post = self._post(group_id, post_id)
        root = None
        if reply_to is not None:
            parent = self._comment(post, reply_to)
            root = parent.thread_root or parent.id
        comment = FakeComment(
            id=next(self._ids),
            post_id=post_id,
            from_id=from_id,
            date=int(date if date is not None else self._now()),
            text=text,
            reply_to=reply_to,
            thread_root=root,
            deleted=deleted,
        )
        post.comments.append(comment)
        return comment

    def require_captcha(self, method: str, *, answer: str = "k7x2q") -> str:
        """Answer ``method`` with error 14 until a call carries ``captcha_key=answer``.

        Returns the ``captcha_sid`` the fake hands out.
        """
        sid = str(next(self._ids))
        self._captchas[method] = (sid, answer)
        return sid

    def handler(self, request: httpx.Request) -> httpx.Response:
        """Answer one request (usable as a pytest-httpx callback)."""
        path = request.url.path
        if path.startswith("/upload/"):
            return self._upload(request)
        match = re.fullmatch(r"/method/([A-Za-z]+\.[A-Za-z]+|execute)", path)
        if match is None:
            return httpx.Response(404, text="Not Found")
        method = match.group(1)
        params = dict(parse_qsl(request.content.decode(), keep_blank_values=True))
        params.update({k: v for k, v in request.url.params.items()})
        secret = params.pop("access_token", None)
        if secret is None and request.headers.get("authorization", "").startswith("Bearer "):
            secret = request.headers["authorization"][7:]
        token = self.tokens.get(secret) if secret else None
        self.calls.append(
            VKCall(method, dict(params), token.kind if token else None, str(request.url))
        )
        injected, lose = self._take_fault(method)
        if injected is not None:
            return injected
        try:
            if token is None:
                raise FakeError(5, "User authorization failed: invalid access_token (4).")
            self._check_rate(secret or "", token)
            self._check_kind(method, token)
            self._check_captcha(method, params)
            body = (
                self._execute(params, token)
                if method == "execute"
                else {"response": self._dispatch(method, params, token)}
            )
        except FakeError as error:
            return self._error_response(error, method, params)
        if lose:
            raise httpx.ReadTimeout("fake: the answer was lost", request=request)
        return httpx.Response(200, json=body)

    def _error_response(
        self, error: FakeError, method: str, params: Mapping[str, str]
    ) -> httpx.Response:
        return _vk_error_response(error, method, params)

    # -- checks --------------------------------------------------------------------------

    def _check_rate(self, secret: str, token: _Token) -> None:
        if self._over_rate(secret, self.rates[token.kind]):
            self.refused[token.kind] += 1
            raise FakeError(6, "Too many requests per second")

    def _check_captcha(self, method: str, params: Mapping[str, str]) -> None:
        pending = self._captchas.get(method)
        if pending is None:
            return
        sid, answer = pending
        if params.get("captcha_sid") == sid and params.get("captcha_key") == answer:
            del self._captchas[method]
            return
        raise FakeError(
            14,
            "Captcha needed",
            captcha_sid=sid,
            captcha_img=f"https://api.vk.ru/captcha.php?sid={sid}&s=1",
        )

    def _check_kind(self, method: str, token: _Token) -> None:
        accepts = _ACCEPTS.get(method)
        if accepts is None:
            raise UnsupportedByFake(f"FakeVK does not implement {method}")
        if token.kind in accepts:
            return
        if token.kind == "community":
            raise FakeError(
                27, "Group authorization failed: method is unavailable with group auth."
            )
        if token.kind == "service":
            raise FakeError(
                28, "Application authorization failed: method is unavailable with service token."
            )
        raise FakeError(15, "Access denied: no access to call this method")

    # -- methods -------------------------------------------------------------------------

    def _dispatch(self, method: str, p: dict[str, str], token: _Token) -> Any:
        handler = getattr(self, "_m_" + method.replace(".", "_"))
        return handler(p, token)

    def _execute(self, p: dict[str, str], token: _Token) -> dict[str, Any]:
        """``execute`` with the VKScript shapes clients send for batching:
        ``return [API.method({...}), ...];`` (gospages, ``VkRequestsPool``), the loop of
        ``VkRequestsPool`` over one method, and the paging loop of ``VkTools.get_all``
        (the vk_api package). Anything else fails loudly."""
        code = p.get("code", "").strip()
        pooled = _POOL_ONE_METHOD.fullmatch(code)
        if pooled is not None:
            values = json.loads(pooled.group("values"))
            return self._run_calls([(pooled.group("method"), v) for v in values], token)
        paged = _GET_ALL.fullmatch(code)
        if paged is not None:
            return self._get_all(paged, token)
        match = re.fullmatch(r"return\s*\[(.*)\]\s*;?", code, re.S)
        if match is None:
            raise UnsupportedByFake(
                f"FakeVK executes only `return [API.m({{...}}), ...];`: {code[:80]}"
            )
        calls: list[tuple[str, dict[str, Any]]] = []
        rest = match.group(1).strip()
        decoder = json.JSONDecoder()
        while rest:
            head = re.match(r"API\.([A-Za-z]+\.[A-Za-z]+)\(", rest)
            if head is None:
                raise UnsupportedByFake(f"FakeVK cannot run this VKScript: {rest[:80]}")
            args, end = decoder.raw_decode(rest, head.end())
            tail = rest[end:].lstrip()
            if not tail.startswith(")"):
                raise UnsupportedByFake(f"FakeVK cannot run this VKScript: {rest[:80]}")
            calls.append((head.group(1), args))
            rest = tail[1:].lstrip().removeprefix(",").lstrip()
        return self._run_calls(calls, token)

    def _run_calls(self, calls: list[tuple[str, dict[str, Any]]], token: _Token) -> dict[str, Any]:
        if len(calls) > 25:
            raise FakeError(13, "Runtime error occurred during code invocation: Too many API calls")
        results: list[Any] = []
        errors: list[dict[str, Any]] = []
        for method, args in calls:
            try:
                self._check_kind(method, token)
                results.append(self._dispatch(method, {k: str(v) for k, v in args.items()}, token))
            except FakeError as error:
                results.append(False)
                errors.append({"method": method, "error_code": error.code, "error_msg": error.msg})
        body: dict[str, Any] = {"response": results}
        if errors:
            body["execute_errors"] = errors
        return body

    def _get_all(self, match: re.Match[str], token: _Token) -> dict[str, Any]:
        """``VkTools.get_all``'s VKScript, run as written: up to 25 pages of ``method``."""
        method, key = match.group("method"), match.group("key")
        self._check_kind(method, token)
        params: dict[str, Any] = json.loads(match.group("params"))
        count: int | None = json.loads(match.group("count"))
        offset, mul = int(match.group("offset")), int(match.group("mul"))
        items: list[Any] = []
        calls = 0
        while calls < 25:
            calls += 1
            params["offset"] = offset * mul
            try:
                response = self._dispatch(method, {k: str(v) for k, v in params.items()}, token)
            except FakeError as error:
                return {
                    "response": {"_error": 1},
                    "execute_errors": [
                        {"method": method, "error_code": error.code, "error_msg": error.msg}
                    ],
                }
            new_count = response["count"]
            diff = 0 if count is None else new_count - count
            if diff < 0:
                offset += diff
            else:
                page = response[key]
                items += page[diff:]
                offset += int(params["count"]) + diff
                if len(page) < int(params["count"]):
                    calls = 99
            count = new_count
            if count is not None and offset >= count:
                calls = 99
        return {"response": {"count": count, "items": items, "offset": offset, "more": calls != 99}}

    def _m_groups_getById(self, p: dict[str, str], token: _Token) -> Any:
        refs = (p.get("group_ids") or p.get("group_id") or "").split(",")
        if not refs or refs == [""]:
            raise _invalid("group_ids is undefined")
        wanted = {f.strip() for f in p.get("fields", "").split(",") if f.strip()}
        out = []
        if len(refs) > 500:
            raise _invalid("group_ids is too long: 500 ids at most")
        for ref in refs:
            group = self._find_group(ref.strip())
            if group is None:
                continue  # VK leaves an unknown id or screen name out of the answer
            obj: dict[str, Any] = {
                "id": group.id,
                "name": group.name,
                "screen_name": group.screen_name,
                "is_closed": group.fields.get("is_closed", 0),
                "type": group.fields.get("type", "page"),
                "photo_50": group.fields.get("photo_200"),
                "photo_100": group.fields.get("photo_200"),
                "photo_200": group.fields.get("photo_200"),
            }
            if group.fields.get("deactivated"):
                obj["deactivated"] = group.fields["deactivated"]  # VK gives it unasked
            if token.kind == "user" and group.id in token.admin_of:
                obj.update({"is_admin": 1, "admin_level": 3})
            for name in wanted:
                if name in group.fields:
                    obj[name] = group.fields[name]
            out.append(obj)
        if not out:
            raise _invalid("invalid group id")
        return {"groups": out, "profiles": []}

    def _m_wall_get(self, p: dict[str, str], token: _Token) -> Any:
        if "owner_id" not in p and p.get("domain"):
            found = self._find_group(p["domain"])
            if found is None:
                raise _invalid("domain")
            group = found
        else:
            group = self._owner(p)
        if group.fields.get("is_closed") and group.id not in token.admin_of:
            raise FakeError(15, "Access denied: this wall available only for community members")
        count = _int(p, "count", 20)
        if not 0 <= count <= 100:
            raise _invalid("count should be less or equal to 100")
        offset = _int(p, "offset", 0)
        flt = p.get("filter", "all")
        if flt == "postponed":
            if group.id not in token.admin_of:
                raise FakeError(15, "Access denied: postponed posts are visible to admins only")
            posts = [x for x in group.posts if x.postponed]
        else:
            posts = [x for x in group.posts if not x.postponed]
        ordered = sorted(posts, key=lambda x: (not x.is_pinned, -x.date, -x.id))
        items = [self._post_obj(group, x) for x in ordered[offset : offset + count]]
        answer: dict[str, Any] = {"count": len(ordered), "items": items}
        if p.get("extended") == "1":
            answer.update(self._extended(group, [x["from_id"] for x in items]))
        return answer

    def _m_wall_getComments(self, p: dict[str, str], token: _Token) -> Any:
        group = self._owner(p)
        post = self._post(group.id, _int(p, "post_id", 0))
        if post.comments_denied:
            raise FakeError(212, "Access to post comments denied")
        count = _int(p, "count", 10)
        if not 0 <= count <= 100:
            raise _invalid("count should be less or equal to 100")
        offset = _int(p, "offset", 0)
        thread_items = _int(p, "thread_items_count", 0)
        if not 0 <= thread_items <= 10:
            raise _invalid("thread_items_count should be less or equal to 10")
        desc = p.get("sort") == "desc"
        if "comment_id" in p:
            root = self._comment(post, _int(p, "comment_id", 0))
            level = [c for c in post.comments if c.thread_root == root.id]
            level.sort(key=lambda c: c.id, reverse=desc)
            items = [self._comment_obj(group, c, p) for c in level[offset : offset + count]]
            return {
                **self._comments_extended(group, items, p),
                "count": len(level),
                "current_level_count": len(level),
                "can_post": True,
                "show_reply_button": True,
                "groups_can_post": True,
                "items": items,
            }
        top = [c for c in post.comments if c.thread_root is None]
        top.sort(key=lambda c: c.id, reverse=desc)
        items = []
        for c in top[offset : offset + count]:
            obj = self._comment_obj(group, c, p)
            replies = [r for r in post.comments if r.thread_root == c.id]
            obj["thread"] = {
                "count": len(replies),
                "items": [self._comment_obj(group, r, p) for r in replies[:thread_items]],
                "can_post": not post.comments_closed,
                "show_reply_button": True,
                "groups_can_post": True,
            }
            items.append(obj)
        return {
            **self._comments_extended(group, items, p),
            "count": len(post.comments),
            "current_level_count": len(top),
            "can_post": not post.comments_closed,
            "show_reply_button": True,
            "groups_can_post": True,
            "items": items,
        }

    def _m_wall_post(self, p: dict[str, str], token: _Token) -> Any:
        group = self._owner(p)
        if group.id not in token.admin_of:
            raise FakeError(214, "Access to adding post denied: access to the wall is closed")
        guid = p.get("guid")
        if guid and (group.id, guid) in self._guids:
            return {"post_id": self._guids[(group.id, guid)]}
        message = p.get("message", "")
        attachments = [a for a in p.get("attachments", "").split(",") if a]
        if not message and not attachments:
            raise _invalid("message is empty or invalid")
        if len(message) > 16384:
            raise _invalid("message is too long")
        if len(attachments) > 10:
            raise _invalid("too many attachments")
        parsed = [self._attachment(a) for a in attachments]
        if sum(1 for a in parsed if a["type"] == "link") > 1:
            raise _invalid("only one link is allowed")
        publish_date = p.get("publish_date")
        postponed = False
        date = int(self._now())
        if publish_date:
            when = int(publish_date)
            if when <= date:
                raise _invalid("publish_date should be in the future")
            postponed, date = True, when
        post = FakePost(
            id=self._next_post_id(group),
            date=date,
            text=message,
            from_id=-group.id,
            attachments=parsed,
            postponed=postponed,
            comments_closed=p.get("close_comments") == "1",
        )
        group.posts.append(post)
        if guid:
            self._guids[(group.id, guid)] = post.id
        return {"post_id": post.id}

    def _m_wall_createComment(self, p: dict[str, str], token: _Token) -> Any:
        group = self._owner(p)
        post = self._post(group.id, _int(p, "post_id", 0))
        if post.comments_closed:
            raise FakeError(213, "Access to status replies denied: comments are closed")
        guid = p.get("guid")
        if guid and (group.id, guid) in self._comment_guids:
            cid = self._comment_guids[(group.id, guid)]
            found = self._comment(post, cid)
            return {"comment_id": cid, "parents_stack": [found.reply_to] if found.reply_to else []}
        message = p.get("message", "")
        if not message:
            raise _invalid("message is empty")
        as_group = token.kind == "community" or (
            p.get("from_group") not in (None, "", "0") and group.id in token.admin_of
        )
        if token.kind == "community" and token.group_id != group.id:
            raise FakeError(15, "Access denied: the community token belongs to another community")
        from_id = -group.id if as_group else int(token.user_id or 0)
        ban = self.bans.get(group.id, {})
        if from_id in ban and (ban[from_id] is None or (ban[from_id] or 0) > self._now()):
            raise FakeError(15, "Access denied: you are in the community's blacklist")
        reply_to = _int(p, "reply_to_comment", 0) or None
        comment = self.add_comment(group.id, post.id, message, from_id=from_id, reply_to=reply_to)
        if guid:
            self._comment_guids[(group.id, guid)] = comment.id
        return {"comment_id": comment.id, "parents_stack": [reply_to] if reply_to else []}

    def _m_wall_deleteComment(self, p: dict[str, str], token: _Token) -> Any:
        group = self._owner(p)
        if group.id not in token.admin_of:
            raise FakeError(211, "Access to wall's comment denied")
        cid = _int(p, "comment_id", 0)
        for post in group.posts:
            for comment in post.comments:
                if comment.id == cid:
                    if comment.deleted:  # VK: the comment is already deleted
                        raise FakeError(104, "Not found")
                    comment.deleted = True
                    return 1
        raise _invalid("comment not found")

    def _m_groups_ban(self, p: dict[str, str], token: _Token) -> Any:
        gid = _int(p, "group_id", 0)
        if gid not in self.groups:
            raise _invalid("group_id")
        if gid not in token.admin_of:
            raise FakeError(15, "Access denied: you are not an admin of this group")
        owner = _int(p, "owner_id", 0)
        if owner <= 0:
            raise _invalid("owner_id")
        end = _int(p, "end_date", 0) or None
        if end is not None and end <= self._now():
            raise _invalid("end_date")
        self.bans.setdefault(gid, {})[owner] = end
        return 1

    def _m_groups_getBanned(self, p: dict[str, str], token: _Token) -> Any:
        gid = _int(p, "group_id", 0)
        if gid not in self.groups:
            raise _invalid("group_id")
        if gid not in token.admin_of and token.group_id != gid:
            raise FakeError(15, "Access denied: you are not an admin of this group")
        now = self._now()
        banned = {
            owner: end for owner, end in self.bans.get(gid, {}).items() if end is None or end > now
        }
        owner = _int(p, "owner_id", 0)
        if owner:
            if owner not in banned:
                raise FakeError(104, "Not found")
            banned = {owner: banned[owner]}
        offset, count = _int(p, "offset", 0), _int(p, "count", 20)
        items = [
            {
                "type": "profile",
                "profile": {"id": o, "first_name": "", "last_name": ""},
                "ban_info": {
                    "admin_id": token.user_id or 1,
                    "date": int(now),
                    "end_date": end or 0,
                    "comment": "",
                    "comment_visible": False,
                },
            }
            for o, end in list(banned.items())[offset : offset + count]
        ]
        return {"count": len(banned), "items": items}

    def _m_photos_getWallUploadServer(self, p: dict[str, str], token: _Token) -> Any:
        gid = _int(p, "group_id", 0)
        if gid not in self.groups:
            raise _invalid("group_id")
        if gid not in token.admin_of:
            raise FakeError(15, "Access denied: no access to this group")
        key = f"u{next(self._ids)}"
        self._uploads[key] = {"group_id": gid, "used": False}
        query = f"act=do_add&mid={token.user_id}&gid={gid}"
        return {
            "upload_url": f"{self.base_url}/upload/wall/{key}?{query}",
            "album_id": -14,
            "user_id": token.user_id,
        }

    def _upload(self, request: httpx.Request) -> httpx.Response:
        key = request.url.path.rsplit("/", 1)[-1]
        upload = self._uploads.get(key)
        if upload is None:
            return httpx.Response(200, json={"error": "invalid upload url"})
        body = request.content
        # gospages sends the field "photo", the vk_api package "file0"..."file5".
        if b'name="photo"' not in body and not re.search(rb'name="file[0-5]"', body):
            return httpx.Response(200, json={"server": 1, "photo": "[]", "hash": ""})
        blob = body.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in body else b""
        if len(blob) <= len(b"\r\n--"):
            return httpx.Response(200, json={"server": 1, "photo": "[]", "hash": ""})
        photo_key = f"p{next(self._ids)}"
        upload[photo_key] = True
        photo = json.dumps(
            [{"markers_restarted": True, "photo": photo_key, "sizes": [], "kid": key}]
        )
        return httpx.Response(200, json={"server": 1, "photo": photo, "hash": f"h{photo_key}"})

    def _m_photos_saveWallPhoto(self, p: dict[str, str], token: _Token) -> Any:
        gid = _int(p, "group_id", 0)
        try:
            uploaded = json.loads(p.get("photo", ""))
        except json.JSONDecodeError:
            raise _invalid("photo") from None
        if not uploaded:
            raise _invalid("photo is empty")
        photo_key = uploaded[0]["photo"]
        if p.get("hash") != f"h{photo_key}":
            raise FakeError(121, "Invalid hash")
        pid = next(self._ids)
        obj = {
            "id": pid,
            "owner_id": -gid,
            "album_id": -14,
            "date": int(self._now()),
            "sizes": [
                {
                    "type": "x",
                    "url": f"https://sun.userapi.com/fake/{pid}.jpg",
                    "width": 604,
                    "height": 403,
                }
            ],
            "text": "",
            "has_tags": False,
        }
        self._photos[(-gid, pid)] = obj
        return [obj]

    def _m_polls_create(self, p: dict[str, str], token: _Token) -> Any:
        owner = _int(p, "owner_id", 0)
        if owner < 0 and -owner not in token.admin_of:
            raise FakeError(15, "Access denied: no access to create polls in this group")
        try:
            answers = json.loads(p.get("add_answers", "[]"))
        except json.JSONDecodeError:
            raise _invalid("add_answers") from None
        if not p.get("question") or not 1 <= len(answers) <= 10:
            raise _invalid("question or answers")
        pid = next(self._ids)
        poll = {
            "id": pid,
            "owner_id": owner,
            "created": int(self._now()),
            "question": p["question"],
            "votes": 0,
            "answers": [{"id": next(self._ids), "text": a, "votes": 0, "rate": 0} for a in answers],
            "anonymous": p.get("is_anonymous") == "1",
            "disable_unvote": p.get("disable_unvote") == "1",
            "multiple": p.get("is_multiple") == "1",
            "answer_ids": [],
            "end_date": 0,
            "closed": False,
            "is_board": False,
            "can_edit": True,
            "can_vote": True,
            "can_report": False,
            "can_share": True,
            "author_id": token.user_id,
        }
        self._polls[(owner, pid)] = poll
        return poll

    # -- helpers -------------------------------------------------------------------------

    def _find_group(self, ref: str) -> FakeGroup | None:
        m = re.fullmatch(r"(?:club|public|event)?-?(\d+)", ref)
        if m:
            return self.groups.get(int(m.group(1)))
        # An index of screen names (a fleet of 10,000 groups looked up 500 at a time), checked
        # on use and rebuilt on a miss: tests add, remove and rename groups directly.
        group = self._by_name.get(ref)
        if group is not None and group.screen_name == ref and self.groups.get(group.id) is group:
            return group
        self._by_name = {g.screen_name: g for g in reversed(self.groups.values())}
        return self._by_name.get(ref)

    def _owner(self, p: dict[str, str]) -> FakeGroup:
        owner = _int(p, "owner_id", 0)
        group = self.groups.get(-owner) if owner < 0 else None
        if group is None:
            raise _invalid("owner_id")
        return group

    def _post(self, group_id: int, post_id: int) -> FakePost:
        for post in self.groups[group_id].posts:
            if post.id == post_id:
                return post
        raise _invalid("post_id")

    @staticmethod
    def _comment(post: FakePost, comment_id: int) -> FakeComment:
        for comment in post.comments:
            if comment.id == comment_id:
                return comment
        raise _invalid("comment_id")

    def _next_post_id(self, group: FakeGroup) -> int:
        return max((x.id for x in group.posts), default=0) + 1

    def _attachment(self, ref: str) -> dict[str, Any]:
        if ref.startswith(("http://", "https://")):
            return {"type": "link", "link": {"url": ref, "title": ref}}
        m = re.fullmatch(r"(photo|poll)(-?\d+)_(\d+)", ref)
        if m is None:
            raise _invalid(f"attachments {ref}")
        kind, owner, oid = m.group(1), int(m.group(2)), int(m.group(3))
        store = self._photos if kind == "photo" else self._polls
        if (owner, oid) not in store:
            raise _invalid(f"{kind} not found")
        return {"type": kind, kind: store[(owner, oid)]}

    def _post_obj(self, group: FakeGroup, post: FakePost) -> dict[str, Any]:
        obj: dict[str, Any] = {
            "inner_type": "wall_wallpost",
            "id": post.id,
            "owner_id": -group.id,
            "from_id": post.from_id,
            "date": post.date,
            "post_type": "postpone" if post.postponed else "post",
            "text": post.text,
            "attachments": post.attachments,
            "comments": {
                "count": sum(1 for c in post.comments if not c.deleted),
                "can_post": 0 if post.comments_closed else 1,
            },
            "likes": {"count": post.likes, "user_likes": 0, "can_like": 1},
            "reposts": {"count": post.reposts, "user_reposted": 0},
            "views": {"count": post.views},
        }
        if post.is_pinned:
            obj["is_pinned"] = 1
        return obj

    def _extended(self, group: FakeGroup, authors: Iterable[int]) -> dict[str, Any]:
        """The ``profiles`` and ``groups`` of an ``extended=1`` answer."""
        users = sorted({a for a in authors if a > 0})
        return {
            "profiles": [
                {
                    "id": uid,
                    "first_name": "Житель",
                    "last_name": str(uid),
                    "can_access_closed": True,
                    "is_closed": False,
                }
                for uid in users
            ],
            "groups": [
                {
                    "id": group.id,
                    "name": group.name,
                    "screen_name": group.screen_name,
                    "is_closed": group.fields.get("is_closed", 0),
                    "type": group.fields.get("type", "page"),
                    "photo_50": group.fields.get("photo_200")
                    or "https://vk.com/images/camera_50.png",
                }
            ],
        }

    def _comments_extended(
        self, group: FakeGroup, items: list[dict[str, Any]], p: Mapping[str, str]
    ) -> dict[str, Any]:
        if p.get("extended") != "1":
            return {}
        authors = [i["from_id"] for i in items]
        for item in items:
            authors += [r["from_id"] for r in (item.get("thread") or {}).get("items", [])]
        return self._extended(group, authors)

    def _comment_obj(
        self, group: FakeGroup, c: FakeComment, p: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        stack = [] if c.thread_root is None else [c.thread_root]
        obj: dict[str, Any] = {
            "id": c.id,
            "from_id": c.from_id,
            "post_id": c.post_id,
            "owner_id": -group.id,
            "parents_stack": stack,
            "date": c.date,
        }
        # The schema requires text: a deleted comment has an empty one.
        obj["text"] = "" if c.deleted else c.text
        if c.deleted:
            obj["deleted"] = True
        if p is not None and p.get("need_likes") == "1":
            obj["likes"] = {"count": 0, "user_likes": 0, "can_like": 0 if c.deleted else 1}
        if c.reply_to is not None:
            parent_author = next(
                (x.from_id for x in self._post(group.id, c.post_id).comments if x.id == c.reply_to),
                None,
            )
            obj["reply_to_user"] = parent_author
            obj["reply_to_comment"] = c.reply_to
        return obj


# The VKScript of the vk_api package (vk_api.requests_pool.vk_one_method and
# vk_api.tools.vk_get_all_items), as its VkFunction compiles them.
_POOL_ONE_METHOD = re.compile(
    r"var values = (?P<values>\[.*\]),i = 0,result = \[\];while\(i < values\.length\) "
    r"\{result\.push\(API\.(?P<method>[A-Za-z]+\.[A-Za-z]+)\(values\[i\]\)\);i = i \+ 1;\}"
    r"return result;",
    re.S,
)
_GET_ALL = re.compile(
    r"var params = (?P<params>\{.*\}),calls = 0,items = \[\],count = (?P<count>null|\d+),"
    r"offset = (?P<offset>-?\d+),ri;while\(calls < 25\) \{calls = calls \+ 1;"
    r"params\.offset = offset \* (?P<mul>-?1);var response = "
    r"API\.(?P<method>[A-Za-z]+\.[A-Za-z]+)\(params\),.*ri = response\.(?P<key>\w+);.*",
    re.S,
)


def _invalid(detail: str) -> FakeError:
    return FakeError(100, f"One of the parameters specified was missing or invalid: {detail}")


def _int(p: Mapping[str, str], key: str, default: int) -> int:
    value = p.get(key)
    if value in (None, ""):
        return default
    try:
        return int(value)
    except ValueError:
        raise _invalid(f"{key} not integer") from None


def _vk_error_response(error: FakeError, method: str, params: Mapping[str, str]) -> httpx.Response:
    echoed = [
        {"key": "v", "value": params.get("v", "5.199")},
        {"key": "method", "value": method},
        {"key": "oauth", "value": "1"},
    ]
    echoed += [{"key": k, "value": v} for k, v in params.items() if k != "v"]
    body: dict[str, Any] = {
        "error_code": error.code,
        "error_msg": error.msg,
        "request_params": echoed,
    }
    body.update(error.extra)
    return httpx.Response(200, json={"error": body})
