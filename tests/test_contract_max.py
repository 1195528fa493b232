from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from gospages import Operation, RetryPolicy
from gospages.testing import sample_max
from gospages.testing.contract import ContractEnv, OfficialPageContract

_WRITES = {
    Operation.PUBLISH: "POST /messages",
    Operation.REPLY: "POST /messages/{id}/comments",
    Operation.DELETE_COMMENT: "DELETE /messages/{id}/comments",
}


class TestMaxContract(OfficialPageContract):
    supports_deleted_comments = False  # MAX drops a deleted comment from the list

    @pytest.fixture
    async def contract_env(self) -> AsyncIterator[ContractEnv]:
        sandbox = sample_max()
        channel = sandbox.fake.channels[sandbox.chat_id]
        newest = max(channel.messages, key=lambda m: m.timestamp)
        with_comments = next(m for m in channel.messages if m.comments)
        assert with_comments is newest

        def lose_next_answer(operation: Operation) -> None:
            sandbox.fake.fail_next(_WRITES[operation], lose_response=True)

        # A bot that may only read the channel: its rights are read before the test.
        limited = sandbox.page(token=sandbox.reader_token, retry=RetryPolicy.none())
        async with sandbox.page(retry=RetryPolicy.none()) as page, limited:
            await limited.load_rights()
            yield ContractEnv(
                page=page,
                post_with_comments=newest.mid,
                lose_next_answer=lose_next_answer,
                limited_page=limited,
            )
