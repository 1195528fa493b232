from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from gospages.testing import SampleVK

from .conftest import make_page
from .contract import ContractEnv, OfficialPageContract


class TestVKContract(OfficialPageContract):
    @pytest.fixture
    async def contract_env(self, sandbox: SampleVK) -> AsyncIterator[ContractEnv]:
        group = sandbox.fake.groups[100001]
        newest = max((p for p in group.posts if not p.is_pinned), key=lambda p: p.date)
        async with make_page(sandbox) as page:
            yield ContractEnv(page=page, post_with_comments=str(newest.id))
