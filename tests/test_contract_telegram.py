from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from gospages import Operation
from gospages.telegram import TelegramChannel
from gospages.testing import FakeTelegram
from gospages.testing.contract import ContractEnv, OfficialPageContract

_WRITES = {Operation.PUBLISH: "send_message", Operation.REPLY: "send_message"}


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

        def lose_next_answer(operation: Operation) -> None:
            fake.fail_next(_WRITES[operation], lose_response=True)

        # Without the discussion group: no comments, replies or deletions.
        limited = TelegramChannel(
            FakeTelegram.SAMPLE_CHANNEL, client=fake, comments=False, close_client=False
        )
        async with TelegramChannel(FakeTelegram.SAMPLE_CHANNEL, client=fake) as page, limited:
            yield ContractEnv(
                page=page,
                post_with_comments=str(newest.id),
                lose_next_answer=lose_next_answer,
                limited_page=limited,
            )

    async def test_limited_credentials_agree_with_capabilities(
        self, contract_env: ContractEnv
    ) -> None:
        await super().test_limited_credentials_agree_with_capabilities(contract_env)
