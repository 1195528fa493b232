from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import vk_api

from gospages import AuthError, ValidationError, redact
from gospages.vk import auth


def test_authorization_url_uses_vk_api_permission_bits() -> None:
    url = auth.user_authorization_url(51234567)
    query = {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}
    perms = vk_api.VkUserPermissions
    expected = perms.WALL | perms.PHOTOS | perms.GROUPS | perms.STATS | perms.OFFLINE
    assert int(query["scope"]) == expected
    assert query["client_id"] == "51234567"
    assert query["response_type"] == "token"
    assert query["v"] == "5.199"
    narrower = auth.user_authorization_url(1, scope=["WALL", perms.OFFLINE])
    assert "scope=" + str(perms.WALL | perms.OFFLINE) in narrower


def test_authorization_url_refuses_bad_app_id() -> None:
    with pytest.raises(ValidationError):
        auth.user_authorization_url(0)


def test_token_from_an_existing_vk_api_session() -> None:
    session = vk_api.VkApi(token="vk1.a.session-token-777")
    secret = auth.token_from_vk_api(session)
    assert secret.get_secret_value() == "vk1.a.session-token-777"
    assert redact("leak vk1.a.session-token-777") == "leak ***"
    with pytest.raises(AuthError):
        auth.token_from_vk_api(vk_api.VkApi())


def test_login_passes_the_2fa_prompt_and_keeps_nothing_on_disk(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    asked: list[str] = []

    def fake_auth(self: vk_api.VkApi, reauth: bool = False, token_only: bool = False) -> None:
        # What vk_api does on a 2FA account: call the auth handler, then store the token.
        code, remember = self.error_handlers[vk_api.vk_api.TWOFACTOR_CODE]()
        assert token_only and remember is False
        self.token = {"access_token": f"vk1.a.after-2fa-{code}"}
        self.storage.save()

    monkeypatch.setattr(vk_api.VkApi, "auth", fake_auth)
    secret = auth.login(
        "+79990000000", "pass-word-1", two_factor=lambda: asked.append("x") or "123456"
    )
    assert secret.get_secret_value() == "vk1.a.after-2fa-123456"
    assert asked == ["x"]
    assert list(tmp_path.iterdir()) == []  # no vk_config.v2.json with the token
