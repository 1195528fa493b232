from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from gospages import RetryPolicy
from gospages.testing import sample_ok

from .contract import ContractEnv, OfficialPageContract


class TestOKContract(OfficialPageContract):
    supports_deleted_comments = False  # OK drops deleted comments from the discussion

    @pytest.fixture
    async def contract_env(self) -> AsyncIterator[ContractEnv]:
        sandbox = sample_ok()
        group = sandbox.fake.groups[sandbox.group_id]
        newest = max(group.topics, key=lambda t: t.created_ms)
        async with sandbox.page(retry=RetryPolicy.none(), requests_per_second=1000) as page:
            yield ContractEnv(page=page, post_with_comments=newest.id)
