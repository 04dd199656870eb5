"""A small Python client for the catalog's HTTP API (the CLI's `check` uses it)."""

from __future__ import annotations

from typing import Any

import requests

DEFAULT_URL = "http://127.0.0.1:8000"


class CatalogError(Exception):
    """The catalog answered with a problem document."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        super().__init__(problem.get("detail") or problem.get("title") or f"HTTP {status}")
        self.status = status
        self.problem = problem


class Client:
    """Calls to one catalog; `token` is a bearer token for writes (or for reads, where required)."""

    def __init__(
        self, url: str = DEFAULT_URL, token: str | None = None, timeout: float = 10.0
    ) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["Accept"] = "application/json"
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def get(self, path: str, **params: Any) -> Any:
        """GET a path under the catalog's URL; a problem answer raises CatalogError."""
        query = {name: value for name, value in params.items() if value is not None}
        response = self.session.get(f"{self.url}{path}", params=query, timeout=self.timeout)
        return self._result(response)

    def availability(
        self, model: str, cloud: str, region: str | None = None, at: str | None = None
    ) -> dict[str, Any]:
        """The CI answer: is `model` on `cloud` (in `region`) at `at`, and who is exclusive."""
        result: dict[str, Any] = self.get(
            f"/v1/models/{model}/availability/{cloud}", region=region, at=at
        )
        return result

    def list_all(self, collection: str, **filters: Any) -> list[dict[str, Any]]:
        """Every item of a collection, walking the cursors."""
        items: list[dict[str, Any]] = []
        cursor = None
        while True:
            page = self.get(f"/v1/{collection}", **filters, limit=500, cursor=cursor)
            items.extend(page["items"])
            cursor = page["next_cursor"]
            if not cursor:
                return items

    @staticmethod
    def _result(response: requests.Response) -> Any:
        if response.status_code >= 400:
            try:
                problem = response.json()
            except ValueError:
                problem = {"title": response.reason, "detail": response.text[:200]}
            raise CatalogError(response.status_code, problem)
        return response.json() if response.content else None
