"""Conditional writes (RFC 9110 If-Match, RFC 6585 428) and JSON merge patch (RFC 7396)."""

from __future__ import annotations

from typing import Any

from flask import request

from ..http.errors import APIError
from .responses import etag


def check_if_match(current: dict[str, Any] | None) -> None:
    """Changing an existing record needs its current ETag; creating one needs none."""
    if_match = request.headers.get("If-Match")
    if current is None:
        if if_match is not None:  # RFC 9110 13.1.1: nothing current, so nothing matches
            raise APIError(
                412,
                "There is no current version to match; leave If-Match out to create it.",
                problem="precondition-failed",
            )
        return
    if request.if_none_match.star_tag:  # RFC 9110 13.1.2: "only if nothing is there yet"
        raise APIError(
            412,
            "The record exists already, and If-None-Match: * asks to write only if it does not.",
            problem="precondition-failed",
            headers={"ETag": etag(current)},
        )
    if if_match is None:
        raise APIError(
            428,
            "Send If-Match with the record's current ETag (from a GET) to change it.",
            problem="precondition-required",
        )
    tag = etag(current)
    if not (request.if_match.star_tag or request.if_match.contains(tag.strip('"'))):
        raise APIError(
            412,
            "The record has changed since that ETag: GET it again, then retry.",
            problem="precondition-failed",
            headers={"ETag": tag},
        )


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON merge patch: objects merge, null removes, everything else replaces."""
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for name, value in patch.items():
        if value is None:
            merged.pop(name, None)
        else:
            merged[name] = merge_patch(merged.get(name), value)
    return merged
