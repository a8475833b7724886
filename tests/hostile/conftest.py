"""The flow tests' per-test ledger and data folder serve the hostile-input tests too."""

from tests.flows.conftest import data_dir, ledger_url

__all__ = ["data_dir", "ledger_url"]
