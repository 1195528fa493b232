"""Everything the rest of gospages asks about a platform, in one descriptor per platform.

Rules, the registry reader, reports, the CLI, the sandbox scenario and ``check_post`` ask
:func:`describe` instead of branching on a platform. Adding a platform is: a `Platform`
member, its `PlatformDescriptor` here, a backend package with an ``open_page`` opener, a
fake in ``gospages.testing`` and the contract suite (docs: «Как добавить площадку»).
``tests/test_platforms.py`` fails when a member lacks a complete descriptor or an opener.

The descriptor names its backend and opener as import strings (``"gospages.vk:VKPage"``),
so this low-level module imports no backend: the backends sit above it in the layers.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._models import Post

__all__ = [
    "Platform",
    "PlatformDescriptor",
    "PlatformKind",
    "PostLimits",
    "describe",
    "official_platforms",
    "platform_for_host",
]


class Platform(str, Enum):
    """A platform where an official page lives."""

    VK = "vk"
    OK = "ok"
    TELEGRAM = "telegram"
    MAX = "max"

    @property
    def label(self) -> str:
        """The platform's name as users write it («ВКонтакте»)."""
        return describe(self).label

    @property
    def descriptor(self) -> PlatformDescriptor:
        """Everything gospages knows about the platform: :func:`describe`."""
        return describe(self)


class PlatformKind(str, Enum):
    """What a platform is, in the words of the acts."""

    SOCIAL_NETWORK = "social_network"
    MESSENGER = "messenger"

    @property
    def label(self) -> str:
        return {"social_network": "социальная сеть", "messenger": "мессенджер"}[self.value]


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class PostLimits:
    """What one post may carry on a platform; checked before any request.

    ``None`` means the platform publishes no such limit (or has none we know of).
    """

    text: int | None
    """The longest text of a post."""
    caption: int | None = None
    """The longest text of a post with photos, where it is shorter (Telegram's caption)."""
    utf16: bool = False
    """Lengths count UTF-16 code units (Telegram), not characters."""
    splits_long_text: bool = False
    """A longer text can be sent as several messages (Telegram, MAX) instead of refused."""
    attachments: int | None = None
    photos: int | None = None
    links: int | None = None
    polls: int | None = None
    poll_question: int | None = None
    poll_answer: int | None = None
    photo_bytes: int | None = None
    comment_text: int | None = None
    schedule_days: int | None = None
    """How far ahead a post may be scheduled."""
    can_schedule: bool = True
    can_close_comments: bool = True
    """Whether one post's comments can be closed (Telegram: only the whole channel's)."""

    def length(self, text: str) -> int:
        """The length of ``text`` as the platform counts it."""
        return _utf16_length(text) if self.utf16 else len(text)

    def text_limit(self, post: Post) -> int | None:
        """The text limit that applies to ``post`` (the caption limit when it has photos)."""
        if post.photos and self.caption is not None:
            return self.caption
        return self.text

    def problems(self, post: Post, *, now: Any = None) -> list[str]:
        """What the platform would refuse in ``post``, in Russian, without the platform's
        name. A text over the limit is not a problem where the platform splits long texts
        (:attr:`splits_long_text`): :meth:`notes` says so instead.

        ``now`` (an aware datetime) is when the check happens; the scheduling time is
        compared with it.
        """
        from datetime import datetime, timedelta, timezone

        out: list[str] = []
        limit = self.text_limit(post)
        size = self.length(post.text)
        if limit is not None and size > limit and not self.splits_long_text:
            out.append(f"текст длиннее {limit} символов ({size})")
        for count, most, what in (
            (len(post.attachments), self.attachments, "вложений"),
            (len(post.photos), self.photos, "фото"),
            (len(post.links), self.links, "ссылок"),
            (len(post.polls), self.polls, "опросов"),
        ):
            if most == 0 and count:
                out.append(f"{what} площадка не принимает ({count})")
            elif most is not None and count > most:
                out.append(f"{what} больше {most} на запись ({count})")
        for poll in post.polls:
            if self.poll_question is not None and self.length(poll.question) > self.poll_question:
                out.append(f"вопрос опроса длиннее {self.poll_question} символов")
            if self.poll_answer is not None:
                long = [a for a in poll.answers if self.length(a) > self.poll_answer]
                if long:
                    out.append(
                        f"вариант ответа длиннее {self.poll_answer} символов: «{long[0][:30]}…»"
                    )
        if post.close_comments and not self.can_close_comments:
            out.append(
                "нельзя закрыть комментарии к одной записи (close_comments): "
                "их открывают или закрывают для всей страницы"
            )
        if post.publish_at is not None:
            moment: datetime = now if now is not None else datetime.now(timezone.utc)
            if not self.can_schedule:
                out.append("отложенные публикации не поддерживаются")
            elif post.publish_at <= moment:
                out.append(f"время отложенной публикации {post.publish_at.isoformat()} уже прошло")
            elif self.schedule_days is not None and post.publish_at > moment + timedelta(
                days=self.schedule_days
            ):
                out.append(f"отложить публикацию можно не больше чем на {self.schedule_days} дней")
        return out

    def notes(self, post: Post) -> list[str]:
        """What the platform would do differently from what one might expect (not refuse)."""
        limit = self.text_limit(post)
        size = self.length(post.text)
        if limit is not None and size > limit and self.splits_long_text:
            return [
                f"текст длиннее {limit} знаков ({size}); его разобьют на несколько сообщений "
                "или откажут (long_text=)"
            ]
        return []


@dataclass(frozen=True)
class PlatformDescriptor:
    """One platform's facts. Nothing outside the backends and this module branches on a
    platform: it asks the descriptor."""

    platform: Platform
    label: str
    """The name as users write it: «ВКонтакте»."""
    short: str
    """A short name for narrow table columns: «ВК»."""
    where: str
    """«where» in Russian, with its preposition: «во ВКонтакте», «в Одноклассниках»."""
    kind: PlatformKind
    official: bool
    """Listed in order 2523-р: a body's page here is an official page under 8-ФЗ (ст. 10)."""
    foreign_owned: bool
    """A foreign-owned messenger under 41-ФЗ (ст. 10): state bodies may not send residents
    messages through it, so gospages never answers residents there without a warning."""
    aliases: tuple[str, ...]
    """How registries name the platform (besides the label and the value)."""
    hosts: tuple[str, ...]
    """Hosts of page addresses, canonical first."""
    page_pattern: re.Pattern[str]
    """What a page reference looks like in a registry."""
    page_hint: str
    """The expected reference, in Russian, for error messages."""
    example: str
    """A reference to show in messages (``page_url(example)`` is an example address)."""
    url_prefix: str
    """A page's address is ``url_prefix`` + the reference."""
    limits: PostLimits
    profile_fields: frozenset[str]
    """`PageProfile` fields the platform's API can report (a rule about a field the
    platform never reports does not apply there)."""
    backend: str
    """The backend class as ``module:Name``."""
    opener: str
    """The page opener as ``module:function``: ``(ref, settings, context) -> OfficialPage``."""
    verification_from_registry: bool = False
    """The platform's API cannot report the «Госорганизация» mark (MAX): the page answers
    ``verification()`` from what the registry records (`PageRef.verified`), which the
    opener passes to the backend as ``verified=``."""
    keys_doc: str | None = None
    """Where the docs tell how to get the platform's keys: «Ключи ВКонтакте» (docs/vk-tokens.md)."""
    extra: str | None = None
    """The pip extra the backend needs, if any (``pip install "gospages[telegram]"``)."""
    page_from_path: Callable[[Sequence[str]], str | None] | None = None
    """The page reference from the parts of an address path; ``None`` when the address
    names the page in a way gospages cannot use (an OK short name). Raises ``ValueError``
    with a Russian message when the path is not a page."""
    canonical: Callable[[str], str] | None = None
    """The key of a reference that two spellings of one page share (``club123``, ``123``)."""
    site_names: Callable[[str], list[str]] | None = None
    """Spellings of a page in its address, for finding links on an official site."""

    # -- references and addresses ------------------------------------------------------

    def page_key(self, page: str) -> str:
        """One key for every spelling of the same page."""
        key = page.casefold().lstrip("@")
        return self.canonical(key) if self.canonical is not None else key

    def page_url(self, page: str) -> str:
        """The page's address."""
        return self.url_prefix + page.lstrip("@")

    def parse_path(self, parts: Sequence[str]) -> str | None:
        """The page reference from an address path split at ``/`` (see ``page_from_path``)."""
        if self.page_from_path is not None:
            return self.page_from_path(parts)
        if not parts:
            raise ValueError("в адресе нет страницы")
        return parts[0]

    def site_link_patterns(self, page: str) -> list[str]:
        """Regular expressions that find a link to ``page`` in a site's HTML."""
        names = self.site_names(page.lstrip("@")) if self.site_names else [page.lstrip("@")]
        hosts = "|".join(re.escape(h) for h in self.hosts)
        # A dot that ends a sentence does not continue the name; one before a letter does.
        return [rf"(?:{hosts})/{re.escape(n)}(?![\w-]|\.\w)" for n in names]

    # -- backend -------------------------------------------------------------------------

    def backend_class(self) -> type[Any]:
        """The backend class (imported now; may need :attr:`extra`)."""
        return _load(self.backend, self)  # type: ignore[no-any-return]

    def opener_function(self) -> Callable[..., Any]:
        """The page opener (imported now; may need :attr:`extra`)."""
        return _load(self.opener, self)  # type: ignore[no-any-return]


def _load(target: str, descriptor: PlatformDescriptor) -> Any:
    module, _, name = target.partition(":")
    try:
        return getattr(importlib.import_module(module), name)
    except ImportError as exc:
        if descriptor.extra is None:
            raise
        raise ImportError(
            f"Для площадки «{descriptor.label}» установите дополнение: "
            f'pip install "gospages[{descriptor.extra}]" ({exc})'
        ) from exc


# -- the platforms ----------------------------------------------------------------------


def _vk_canonical(page: str) -> str:
    return re.sub(r"^(?:club|public|event)?-?(\d+)$", r"\1", page)


def _vk_site_names(page: str) -> list[str]:
    number = re.fullmatch(r"(?:club|public)?(\d+)", page)
    return [f"club{number[1]}", f"public{number[1]}"] if number else [page]


def _ok_page(parts: Sequence[str]) -> str | None:
    if len(parts) >= 2 and parts[0] == "group":
        return parts[1]
    numbered = re.fullmatch(r"group(\d+)", parts[0]) if parts else None
    if numbered:
        return numbered[1]
    if len(parts) == 1 and parts[0] not in ("group", "profile"):
        return None  # a short name: the group id is not in the address
    raise ValueError("в адресе нет группы Одноклассников: нужен ok.ru/group/<id>")


def _ok_site_names(page: str) -> list[str]:
    return [f"group/{page}", page]


def _telegram_page(parts: Sequence[str]) -> str | None:
    if parts[:1] == ["s"]:
        parts = parts[1:]
    if not parts:
        raise ValueError("в адресе нет канала")
    return parts[0]


def _max_page(parts: Sequence[str]) -> str | None:
    if not parts or parts[0] in ("join", "u", "c"):
        # An invitation (max.ru/join/...) names no channel the Bot API can open.
        raise ValueError("в адресе нет канала MAX: нужен max.ru/<имя канала> или id чата")
    return parts[0]


def _max_canonical(page: str) -> str:
    return page.removeprefix("id") if re.fullmatch(r"id-?\d+", page) else page


_MB = 1024 * 1024

_DESCRIPTORS: dict[Platform, PlatformDescriptor] = {
    d.platform: d
    for d in (
        PlatformDescriptor(
            platform=Platform.VK,
            label="ВКонтакте",
            short="ВК",
            where="во ВКонтакте",
            kind=PlatformKind.SOCIAL_NETWORK,
            official=True,
            foreign_owned=False,
            aliases=("вк", "вконтакте", "vkontakte", "vk.com"),
            hosts=("vk.com", "vk.ru"),
            page_pattern=re.compile(r"(?:club|public|event)?-?\d+|[A-Za-z0-9_.]{2,64}"),
            page_hint="id сообщества (123, club123) или короткое имя (adm_ensk)",
            example="adm_ensk",
            url_prefix="https://vk.com/",
            limits=PostLimits(
                text=16384,
                attachments=10,
                links=1,
                polls=1,
                photo_bytes=50 * _MB,
                comment_text=16384,
            ),
            profile_fields=frozenset({"avatar_url", "cover_url", "feedback_widgets"}),
            backend="gospages.vk:VKPage",
            keys_doc="«Ключи ВКонтакте» (docs/vk-tokens.md)",
            opener="gospages.vk._open:open_page",
            canonical=_vk_canonical,
            site_names=_vk_site_names,
        ),
        PlatformDescriptor(
            platform=Platform.OK,
            label="Одноклассники",
            short="ОК",
            where="в Одноклассниках",
            kind=PlatformKind.SOCIAL_NETWORK,
            official=True,
            foreign_owned=False,
            aliases=("ок", "одноклассники", "odnoklassniki", "ok.ru"),
            hosts=("ok.ru", "odnoklassniki.ru"),
            page_pattern=re.compile(r"\d+"),
            page_hint="числовой id группы (53038939046008)",
            example="53038939046008",
            url_prefix="https://ok.ru/group/",
            # OK publishes no limits of a post; photo size as its upload server accepts.
            limits=PostLimits(text=None),
            profile_fields=frozenset({"avatar_url"}),
            backend="gospages.ok:OKPage",
            keys_doc="«Одноклассники» (docs/ok.md)",
            opener="gospages.ok._open:open_page",
            page_from_path=_ok_page,
            site_names=_ok_site_names,
        ),
        PlatformDescriptor(
            platform=Platform.TELEGRAM,
            label="Telegram",
            short="TG",
            where="в Telegram",
            kind=PlatformKind.MESSENGER,
            official=False,
            foreign_owned=True,
            aliases=("телеграм", "телеграмм", "tg", "тг", "t.me"),
            hosts=("t.me", "telegram.me"),
            page_pattern=re.compile(r"@?[A-Za-z][A-Za-z0-9_]{3,31}|-?\d+"),
            page_hint="имя канала (ensk_adm, @ensk_adm) или его id",
            example="ensk_adm",
            url_prefix="https://t.me/",
            limits=PostLimits(
                text=4096,
                caption=1024,
                utf16=True,
                splits_long_text=True,
                photos=10,
                polls=1,
                poll_question=255,
                poll_answer=100,
                photo_bytes=10 * _MB,
                comment_text=4096,
                schedule_days=365,
                can_close_comments=False,
            ),
            profile_fields=frozenset(),
            backend="gospages.telegram:TelegramChannel",
            keys_doc="«Telegram» (docs/telegram.md)",
            opener="gospages.telegram._open:open_page",
            extra="telegram",
            page_from_path=_telegram_page,
        ),
        PlatformDescriptor(
            platform=Platform.MAX,
            label="MAX",
            short="MAX",
            where="в MAX",
            kind=PlatformKind.MESSENGER,
            # Not in order 2523-р (VK and OK are), and Russian-owned: 41-ФЗ's ban on
            # answering residents through foreign messengers does not apply.
            official=False,
            foreign_owned=False,
            aliases=("макс", "мессенджер max", "мессенджер макс", "max.ru"),
            hosts=("max.ru",),
            # A chat id (an int64, negative for channels) or the channel's public name.
            page_pattern=re.compile(r"-?\d{1,19}|@?[A-Za-z][A-Za-z0-9_.-]{1,63}"),
            page_hint="имя канала из ссылки max.ru/<имя> (adm_ensk) или id чата (-70000000000005)",
            example="adm_ensk",
            url_prefix="https://max.ru/",
            limits=PostLimits(
                text=4000,
                # Split into several messages by default (MaxChannel(long_text=)).
                splits_long_text=True,
                photos=10,
                polls=0,
                comment_text=4000,
                # The Bot API has no scheduling field: the publishing journal's runner
                # will schedule; until then a future publish_at is refused.
                can_schedule=False,
                can_close_comments=False,
            ),
            profile_fields=frozenset({"avatar_url"}),
            verification_from_registry=True,
            backend="gospages.max:MaxChannel",
            keys_doc="«MAX» (docs/max.md)",
            opener="gospages.max._open:open_page",
            page_from_path=_max_page,
            canonical=_max_canonical,
        ),
    )
}


def describe(platform: Platform | str) -> PlatformDescriptor:
    """The descriptor of ``platform`` (a `Platform` or its value, ``"vk"``)."""
    try:
        return _DESCRIPTORS[Platform(platform)]
    except (KeyError, ValueError):
        raise LookupError(f"Площадка «{platform}» не описана в gospages._platforms") from None


def official_platforms() -> list[Platform]:
    """The platforms where 8-ФЗ and order 2523-р require official pages (VK, OK)."""
    return [p for p in Platform if describe(p).official]


_HOSTS = {host: d.platform for d in _DESCRIPTORS.values() for host in d.hosts}


def platform_for_host(host: str) -> Platform | None:
    """The platform whose pages live at ``host`` (``www.``/``m.`` ignored), or ``None``."""
    host = host.lower().removeprefix("www.").removeprefix("m.")
    return _HOSTS.get(host)
