"""The contract suite now ships as `gospages.testing.contract`; kept for old imports."""

from gospages.testing.contract import ContractEnv, OfficialPageContract

__all__ = ["ContractEnv", "OfficialPageContract"]
