"""Keys and options of a run, from the environment and ``.env`` (pydantic-settings).

Every variable starts with ``GOSPAGES_``; secrets are `pydantic.SecretStr` and appear in
no repr, log line or error. The older short names of the OK and Telegram variables
(``GOSPAGES_OK_APP_KEY``, ``GOSPAGES_TG_SESSION`` ...) are read too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic import ValidationError as PydanticValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from ._errors import ValidationError
from ._secrets import register_secret

__all__ = ["Settings"]


def _env(*names: str) -> AliasChoices:
    return AliasChoices(*names)


class Settings(BaseSettings):
    """Keys for every platform and the options of opening pages.

    ``Settings()`` reads ``GOSPAGES_*`` variables and a ``.env`` file in the working
    directory; pass values as keyword arguments to override them::

        settings = Settings(vk_service_token="...")   # the rest from the environment

    A platform whose keys are missing is not an error here: opening one of its pages
    says which variables to set.
    """

    model_config = SettingsConfigDict(
        env_prefix="GOSPAGES_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
        frozen=True,
        # A key pasted into the wrong variable must not be echoed by an error.
        hide_input_in_errors=True,
    )

    vk_user_token: SecretStr | None = None
    """GOSPAGES_VK_USER_TOKEN: a user key of a community administrator."""
    vk_community_token: SecretStr | None = None
    """GOSPAGES_VK_COMMUNITY_TOKEN: a community key (one community only)."""
    vk_service_token: SecretStr | None = None
    """GOSPAGES_VK_SERVICE_TOKEN: the service key of a VK application (reads only)."""

    ok_application_key: str | None = Field(
        default=None,
        validation_alias=_env("GOSPAGES_OK_APPLICATION_KEY", "GOSPAGES_OK_APP_KEY"),
    )
    """GOSPAGES_OK_APPLICATION_KEY (or GOSPAGES_OK_APP_KEY): the application's public key."""
    ok_application_secret_key: SecretStr | None = Field(
        default=None,
        validation_alias=_env("GOSPAGES_OK_APPLICATION_SECRET_KEY", "GOSPAGES_OK_APP_SECRET"),
    )
    """GOSPAGES_OK_APPLICATION_SECRET_KEY (or GOSPAGES_OK_APP_SECRET)."""
    ok_access_token: SecretStr | None = Field(
        default=None,
        validation_alias=_env("GOSPAGES_OK_ACCESS_TOKEN", "GOSPAGES_OK_TOKEN"),
    )
    """GOSPAGES_OK_ACCESS_TOKEN (or GOSPAGES_OK_TOKEN): a group administrator's token."""
    ok_requests_per_second: float = Field(default=1.0, gt=0)
    """GOSPAGES_OK_REQUESTS_PER_SECOND: the pace kept with OK (it publishes no limits)."""

    tg_api_id: int | None = None
    """GOSPAGES_TG_API_ID: the application's id from my.telegram.org."""
    tg_api_hash: SecretStr | None = None
    """GOSPAGES_TG_API_HASH: the application's hash from my.telegram.org."""
    tg_session: SecretStr | None = None
    """GOSPAGES_TG_SESSION: a Telethon StringSession of an authorised account."""

    max_token: SecretStr | None = None
    """GOSPAGES_MAX_TOKEN: the MAX bot's token from the MAX business platform."""
    max_ca_file: Path | None = None
    """GOSPAGES_MAX_CA_FILE: the Минцифры root certificate («Russian Trusted Root CA», PEM,
    from https://www.gosuslugi.ru/crt), trusted for the MAX API host only."""

    timeout: float = Field(default=30.0, gt=0)
    """GOSPAGES_TIMEOUT: seconds to wait for a platform's answer."""

    @classmethod
    def from_environment(cls) -> Settings:
        """``Settings()``, with what is wrong in the environment or ``.env`` said as a
        `gospages.ValidationError` naming the variables (never their values)."""
        try:
            return cls()
        except PydanticValidationError as error:
            names = sorted(
                {
                    name if name.upper().startswith("GOSPAGES_") else f"GOSPAGES_{name.upper()}"
                    for name in (str(e["loc"][0]) for e in error.errors() if e["loc"])
                }
            )
            raise ValidationError(
                f"Настройки gospages: неверное значение {', '.join(names)} (в окружении или в "
                "файле .env); значение не показано, чтобы не раскрыть ключ"
            ) from None
        except UnicodeDecodeError:
            raise ValidationError(
                "Настройки gospages: файл .env не в кодировке UTF-8: сохраните его в UTF-8"
            ) from None

    @classmethod
    def only(cls, **values: Any) -> Settings:
        """Settings from ``values`` alone: neither the environment nor ``.env`` is read
        (a sandbox, a test, or keys that come from your own secrets store)."""
        return _Only(**values)

    @field_validator(
        "vk_user_token",
        "vk_community_token",
        "vk_service_token",
        "ok_application_secret_key",
        "ok_access_token",
        "tg_api_hash",
        "tg_session",
        "max_token",
        mode="after",
    )
    @classmethod
    def _blank_is_none(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        register_secret(value)
        return value

    @field_validator("ok_application_key", mode="after")
    @classmethod
    def _blank_key_is_none(cls, value: str | None) -> str | None:
        return value if value and value.strip() else None

    @field_validator("max_ca_file", mode="before")
    @classmethod
    def _blank_path_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("tg_api_id", mode="before")
    @classmethod
    def _blank_id_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value


class _Only(Settings):
    """`Settings` that read only the values given to them."""

    def __repr_name__(self) -> str:
        return "Settings"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)
