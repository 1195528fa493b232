from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from gospages import Operation, RetryPolicy
from gospages.testing import sample_ok
from gospages.testing.contract import ContractEnv, OfficialPageContract

_WRITES = {
    Operation.PUBLISH: "mediatopic.post",
    Operation.REPLY: "discussions.addDiscussionComment",
}


class TestOKContract(OfficialPageContract):
    supports_deleted_comments = False  # OK drops deleted comments from the discussion

    @pytest.fixture
    async def contract_env(self) -> AsyncIterator[ContractEnv]:
        sandbox = sample_ok()
        group = sandbox.fake.groups[sandbox.group_id]
        newest = max(group.topics, key=lambda t: t.created_ms)

        def lose_next_answer(operation: Operation) -> None:
            sandbox.fake.fail_next(_WRITES[operation], lose_response=True)

        # OK has one kind of token and no read-only variant: no limited_page.
        async with sandbox.page(retry=RetryPolicy.none(), requests_per_second=1000) as page:
            yield ContractEnv(
                page=page, post_with_comments=newest.id, lose_next_answer=lose_next_answer
            )
