"""One way to open pages: from a registry reference and settings, on any platform.

`PageFactory` opens the pages of one run. It is the ``open_page`` callable that
:func:`gospages.requirements.audit_registry` and :func:`gospages.moderation.moderate`
take, and it shares what should be shared between pages of a run (the Telegram
connection; the platform connections a sandbox hands in). `open_page` opens one page.

Which backend serves a platform is the platform descriptor's business
(:func:`gospages._platforms.describe`); each backend package has an ``_open.py`` with an
``open_page(ref, context)`` opener.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._errors import ValidationError
from ._page import OfficialPage
from ._platforms import Platform, describe
from ._settings import Settings

if TYPE_CHECKING:
    from .registry import PageRef

__all__ = ["OpenContext", "PageFactory", "missing_settings", "open_page", "pages_from_env"]


def missing_settings(platform: Platform, *variables: str) -> ValidationError:
    """The error of a page that cannot be opened for want of keys, naming the variables."""
    names = ", ".join(f"GOSPAGES_{v.upper()}" for v in variables)
    return ValidationError(
        f"{describe(platform).label}: не заданы ключи. Задайте переменные окружения "
        f"(или строки файла .env) {names}; как получить ключи — в документации, раздел "
        f"«{describe(platform).label}»",
        platform=platform,
    )


@dataclass
class OpenContext:
    """What an opener gets besides the page reference."""

    settings: Settings
    connection: Any | None = None
    """The platform connection to use, if the caller gave one: an ``httpx.AsyncClient``
    for the HTTP platforms (a sandbox's fake transport), a Telegram client for Telegram."""
    clock: Any | None = None
    """The clock of the run (virtual in the sandbox), or ``None`` for real time."""
    options: Mapping[str, Any] = field(default_factory=dict)
    """More keyword arguments for the backend's constructor."""
    run: bool = False
    """The page is one of a run's (`PageFactory`): what `shared` makes is closed with the
    run, not by the page."""
    max_connections: int = 32
    """The size of the connection pool a run's pages share on one platform."""
    _shared: dict[str, Any] = field(default_factory=dict, repr=False)
    _closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list, repr=False)

    def kwargs(
        self,
        connection_as: str | None = "http_client",
        *,
        ref: PageRef | None = None,
        **given: Any,
    ) -> dict[str, Any]:
        """Constructor arguments for the backend: ``given``, the connection under the name
        ``connection_as`` (when there is one), the clock, then :attr:`options` over all.

        With ``ref`` on a platform whose API cannot report the «Госорганизация» mark
        (``verification_from_registry``), what the registry records goes as ``verified=``.
        """
        kwargs = dict(given)
        if ref is not None and describe(ref.platform).verification_from_registry:
            kwargs["verified"] = ref.verified
        if self.connection is not None and connection_as is not None:
            kwargs[connection_as] = self.connection
        if self.clock is not None:
            kwargs["clock"] = self.clock
        kwargs.update(self.options)
        return kwargs

    def http_client(self, key: str) -> Any | None:
        """The ``http_client`` for a page of an HTTP backend: the connection given, else
        in a run one ``httpx.AsyncClient`` under ``key`` shared by all the run's pages
        (one connection pool and SSL context; closed with the run, never by a page), else
        ``None`` (the page makes its own)."""
        if self.connection is not None or not self.run:
            return self.connection
        from ._transport import shared_client

        return self.shared(
            key,
            lambda: shared_client(
                timeout=self.settings.timeout, max_connections=self.max_connections
            ),
            lambda client: client.aclose(),
        )

    def shared(
        self,
        key: str,
        make: Callable[[], Any],
        close: Callable[[Any], Awaitable[None]] | None = None,
    ) -> Any:
        """One object per run under ``key`` (made on first use, closed with the run)."""
        if key not in self._shared:
            value = make()
            self._shared[key] = value
            if close is not None:
                self._closers.append(lambda: close(value))
        return self._shared[key]


Opener = Callable[["PageRef", OpenContext], OfficialPage]


class PageFactory:
    """Opens the pages of one run: ``factory(ref)`` is an `OfficialPage`.

    Args:
        settings: keys and options; ``Settings()`` (the environment and ``.env``)
            when omitted.
        connections: a connection per platform to use instead of the real one (the
            sandbox hands in its fakes here).
        clock: the run's clock, passed to every page.
        options: more constructor arguments per platform.
        max_connections: the connection pool of each HTTP platform: the pages of the
            run share one ``httpx.AsyncClient`` (and SSL context) per platform, with this
            many connections; keep it at least the run's concurrency.

    Close it (``await factory.aclose()`` or ``async with``) to close what the run's pages
    share; each page is closed by whoever opened it.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        connections: Mapping[Platform, Any] | None = None,
        clock: Any | None = None,
        options: Mapping[Platform, Mapping[str, Any]] | None = None,
        max_connections: int = 32,
    ) -> None:
        if max_connections < 1:
            raise ValidationError("PageFactory: max_connections — не меньше одного соединения")
        self.max_connections = max_connections
        self.settings = settings if settings is not None else Settings.from_environment()
        self._connections = dict(connections or {})
        self._clock = clock
        self._options = {p: dict(o) for p, o in (options or {}).items()}
        self._contexts: dict[Platform, OpenContext] = {}

    @property
    def clock(self) -> Any | None:
        """The run's clock (the sandbox's virtual one), or ``None`` for real time."""
        return self._clock

    def __repr__(self) -> str:
        return f"PageFactory(platforms={sorted(p.value for p in self._connections)})"

    def context(self, platform: Platform) -> OpenContext:
        """The context every page of ``platform`` is opened with in this run."""
        if platform not in self._contexts:
            self._contexts[platform] = OpenContext(
                settings=self.settings,
                connection=self._connections.get(platform),
                clock=self._clock,
                options=self._options.get(platform, {}),
                run=True,
                max_connections=self.max_connections,
            )
        return self._contexts[platform]

    def open(self, ref: PageRef) -> OfficialPage:
        """The page ``ref`` names, ready to use (nothing is requested yet)."""
        opener: Opener = describe(ref.platform).opener_function()
        return opener(ref, self.context(ref.platform))

    __call__ = open

    async def aclose(self) -> None:
        """Close what the pages of the run share (the HTTP clients, the Telegram
        connection)."""
        contexts, self._contexts = list(self._contexts.values()), {}
        for context in contexts:
            closers, context._closers = context._closers, []
            for close in closers:
                await close()

    async def __aenter__(self) -> PageFactory:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


def open_page(
    ref: PageRef,
    settings: Settings | None = None,
    *,
    connection: Any | None = None,
    clock: Any | None = None,
    **options: Any,
) -> OfficialPage:
    """Open the page ``ref`` names with keys from ``settings`` (the environment and
    ``.env`` when omitted)::

        from gospages import open_page
        from gospages.registry import PageRef

        async with open_page(PageRef(platform="vk", page="adm_ensk")) as page:
            print((await page.profile()).name)

    ``options`` go to the backend's constructor (``timeout=``, ``long_text=`` ...).
    """
    context = OpenContext(
        settings=settings if settings is not None else Settings.from_environment(),
        connection=connection,
        clock=clock,
        options=options,
    )
    opener: Opener = describe(ref.platform).opener_function()
    return opener(ref, context)


def pages_from_env() -> PageFactory:
    """Deprecated: ``PageFactory()`` (keys from ``GOSPAGES_*`` and ``.env``)."""
    return PageFactory()
