"""A small Python client for the catalog's HTTP API (the CLI's `check` uses it).

Reads (GET) go through the standard library and writes through requests, imported on the first
write: `catalog check` imports this module and must start fast, and requests alone costs about
as much start-up time as the rest of the check together (measured: docs/notes/ci-check.md).
Every failure to reach the catalog is an OSError (requests' exceptions are OSErrors too).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from functools import cached_property
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

if TYPE_CHECKING:
    import requests

DEFAULT_URL = "http://127.0.0.1:8000"


class CatalogError(Exception):
    """The catalog answered with a problem document."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        said = problem.get("detail") or problem.get("title") or f"HTTP {status}"
        errors = problem.get("errors")
        if isinstance(errors, dict):  # which argument, and what is wrong with it (once)
            named = [
                f"{name}: {' '.join(map(str, messages))}"
                for name, messages in errors.items()
                if not all(str(message) in said for message in messages)
            ]
            if named and said.startswith("Invalid request:"):
                said = "Invalid request: " + "; ".join(named)
            elif named:
                said += " (" + "; ".join(named) + ")"
        super().__init__(said)
        self.status = status
        self.problem = problem


class Client:
    """Calls to one catalog; `token` is a bearer token for writes (or for reads, where required)."""

    def __init__(
        self, url: str = DEFAULT_URL, token: str | None = None, timeout: float = 10.0
    ) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.headers = {"Accept": "application/json"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    @cached_property
    def session(self) -> requests.Session:
        """The requests session writes use (made, and requests imported, on the first write)."""
        import requests

        session = requests.Session()
        session.headers.update(self.headers)
        return session

    def get(self, path: str, **params: Any) -> Any:
        """GET a path under the catalog's URL; a problem answer raises CatalogError, and a
        catalog that cannot be reached an OSError. A list value repeats its parameter."""
        query = urlencode({k: v for k, v in params.items() if v is not None}, doseq=True)
        url = f"{self.url}{path}" + (f"?{query}" if query else "")
        request = urllib.request.Request(url, headers=self.headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = response.read()
        except urllib.error.HTTPError as error:
            raise CatalogError(error.code, _problem(error.read(), error.reason)) from None
        return json.loads(body) if body else None

    def availability(
        self, model: str, cloud: str, region: str | None = None, at: str | None = None
    ) -> dict[str, Any]:
        """The CI answer: is `model` on `cloud` (in `region`) at `at`, and who is exclusive."""
        result: dict[str, Any] = self.get(
            f"/v1/models/{model}/availability/{cloud}", region=region, at=at
        )
        return result

    def checks(
        self,
        pairs: list[tuple[str, ...]],
        at: str | None = None,
        exclusive: bool = False,
        min_days: int | None = None,
        retires_within: int | None = None,
    ) -> list[dict[str, Any]]:
        """Many CI answers in one request: each pair is (model, cloud) or (model, cloud, region);
        each answer in the pairs' order, with `ok` (the condition holds) and `reason`."""
        answer = self.get(
            "/v1/checks",
            pair=[":".join(pair) for pair in pairs],
            at=at,
            exclusive="true" if exclusive else None,
            min_days=min_days,
            retires_within=retires_within,
        )
        items: list[dict[str, Any]] = answer["items"]
        return items

    def prices(
        self,
        model: str,
        at: str | None = None,
        unit: str | None = None,
        region: str | None = None,
        geography: str | None = None,
    ) -> list[dict[str, Any]]:
        """The procurement comparison: the model's prices in force at `at`, cheapest first per
        unit and currency, each with its cloud's exclusivity state. Amounts are decimal strings
        (use decimal.Decimal, never float, to add them up)."""
        answer = self.get(
            f"/v1/models/{model}/prices", at=at, unit=unit, region=region, geography=geography
        )
        items: list[dict[str, Any]] = answer["items"]
        return items

    def prices_csv(
        self,
        model: str,
        at: str | None = None,
        unit: str | None = None,
        region: str | None = None,
        geography: str | None = None,
    ) -> str:
        """The comparison as the catalog's wide CSV: one row per offering and price region,
        one column per unit, the offerings with no price known included."""
        asked = {"at": at, "unit": unit, "region": region, "geography": geography}
        asked["format"] = "csv"
        query = {name: value for name, value in asked.items() if value is not None}
        response = self.session.get(
            f"{self.url}/v1/models/{model}/prices", params=query, timeout=self.timeout
        )
        if response.status_code >= 400:
            self._result(response)  # raises CatalogError with the problem
        return response.text

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

    def changes(self, after: int = 0, **filters: Any) -> list[dict[str, Any]]:
        """Every change-feed entry after seq `after`, in order: the incremental sync."""
        return self.list_all("changes", after=after, **filters)

    def history(self, path: str) -> list[dict[str, Any]]:
        """Every recorded version of the record at `path` (e.g. "offerings/aws:x:serverless")."""
        return self.list_all(f"{path.strip('/')}/history")

    # ---- writes (a token with the write scope) -----------------------------------------------
    # `path` is the record's path under /v1, e.g. "providers/ai21" or "clouds/aws/regions/x".

    def read(self, path: str) -> tuple[dict[str, Any], str]:
        """A record and its ETag (what replace, patch and delete need)."""
        response = self.session.get(f"{self.url}/v1/{path.strip('/')}", timeout=self.timeout)
        return self._result(response), response.headers["ETag"]

    def create(self, collection: str, record: dict[str, Any]) -> tuple[dict[str, Any], str]:
        """POST a new record to a collection path; returns it with its ETag."""
        return self._write("POST", collection, json=record)

    def replace(
        self, path: str, record: dict[str, Any], etag: str | None = None
    ) -> tuple[dict[str, Any], str]:
        """PUT a record: with `etag` it replaces that version, without it it creates."""
        return self._write("PUT", path, json=record, etag=etag)

    def patch(self, path: str, changes: dict[str, Any], etag: str) -> tuple[dict[str, Any], str]:
        """Merge-patch the version `etag` of a record (None in `changes` clears a field)."""
        return self._write(
            "PATCH",
            path,
            data=json.dumps(changes),
            etag=etag,
            content_type="application/merge-patch+json",
        )

    def delete(self, path: str, etag: str) -> None:
        """Delete the version `etag` of a record (its history keeps it)."""
        self._write("DELETE", path, etag=etag)

    def _write(
        self,
        method: str,
        path: str,
        etag: str | None = None,
        content_type: str | None = None,
        **body: Any,
    ) -> Any:
        headers = {}
        if etag is not None:
            headers["If-Match"] = etag
        if content_type is not None:
            headers["Content-Type"] = content_type
        response = self.session.request(
            method,
            f"{self.url}/v1/{path.strip('/')}",
            headers=headers,
            timeout=self.timeout,
            **body,
        )
        result = self._result(response)
        return None if method == "DELETE" else (result, response.headers["ETag"])

    @staticmethod
    def _result(response: requests.Response) -> Any:
        if response.status_code >= 400:
            raise CatalogError(response.status_code, _problem(response.content, response.reason))
        return response.json() if response.content else None


def _problem(body: bytes, reason: str) -> dict[str, Any]:
    """An error answer's problem document, or one made of its status line and text."""
    try:
        problem = json.loads(body)
    except ValueError:
        problem = None
    if isinstance(problem, dict):
        return problem
    return {"title": reason, "detail": body.decode("utf-8", "replace")[:200]}
