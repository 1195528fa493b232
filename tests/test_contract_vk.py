from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from gospages import Operation
from gospages.testing import SampleVK
from gospages.testing.contract import ContractEnv, OfficialPageContract

from .conftest import make_page

_WRITES = {
    Operation.PUBLISH: "wall.post",
    Operation.REPLY: "wall.createComment",
    Operation.DELETE_COMMENT: "wall.deleteComment",
}


class TestVKContract(OfficialPageContract):
    @pytest.fixture
    async def contract_env(self, sandbox: SampleVK) -> AsyncIterator[ContractEnv]:
        group = sandbox.fake.groups[100001]
        newest = max((p for p in group.posts if not p.is_pinned), key=lambda p: p.date)

        def lose_next_answer(operation: Operation) -> None:
            sandbox.fake.fail_next(_WRITES[operation], lose_response=True)

        # The service key alone: reading only.
        limited = make_page(sandbox, user_token=None, community_token=None)
        async with make_page(sandbox) as page, limited:
            yield ContractEnv(
                page=page,
                post_with_comments=str(newest.id),
                lose_next_answer=lose_next_answer,
                limited_page=limited,
            )

    async def test_comments_of_a_missing_post_are_not_found(
        self, contract_env: ContractEnv
    ) -> None:
        await super().test_comments_of_a_missing_post_are_not_found(contract_env)
