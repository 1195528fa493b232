from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from gospages.telegram import TelegramChannel
from gospages.testing import FakeTelegram

from .contract import ContractEnv, OfficialPageContract


# Answering a comment on Telegram warns (41-ФЗ); test_telegram.py asserts that warning.
# Here it is expected, and pytest would otherwise turn it into an error.
@pytest.mark.filterwarnings("ignore::gospages.telegram.ForeignServiceWarning")
class TestTelegramContract(OfficialPageContract):
    # Telegram deletes a message outright: a deleted comment is not in the thread any more.
    supports_deleted_comments = False

    @pytest.fixture
    async def contract_env(self) -> AsyncIterator[ContractEnv]:
        fake = FakeTelegram.sample()
        channel = fake.chats[1001]
        newest = max((m for m in channel.messages if m.action is None), key=lambda m: m.date)
        assert any(c.top_id != c.reply_to for c in fake.comments_of(1001, newest.id))
        async with TelegramChannel(FakeTelegram.SAMPLE_CHANNEL, client=fake) as page:
            yield ContractEnv(page=page, post_with_comments=str(newest.id))
