"""Helpers shared by the framework's tests (the fixtures are in the root conftest.py)."""

from __future__ import annotations

from typing import Any


def latest_artifact(key: str) -> dict[str, object]:
    """The newest Prefect artifact with ``key``, read through the REST API.

    A plain REST call: Prefect 3.8's ``Artifact.get()`` sends null paging fields, which its
    server's FastAPI rejects with 422.
    """
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        response = client.request(
            "POST",
            "/artifacts/filter",
            json={
                "artifacts": {"key": {"any_": [key]}},
                "limit": 1,
                "offset": 0,
                "sort": "CREATED_DESC",
            },
        )
    response.raise_for_status()
    found: list[dict[str, object]] = response.json()
    assert found, f"no artifact {key!r}"
    return found[0]


class CountingKeyboard:
    """``page.keyboard`` that counts every key it sends (keystroke budgets in UI tests)."""

    def __init__(self, page: Any) -> None:
        self.page, self.count = page, 0

    def press(self, key: str) -> None:
        self.count += 1
        self.page.keyboard.press(key)

    def type(self, text: str) -> None:
        self.count += len(text)
        self.page.keyboard.type(text)
