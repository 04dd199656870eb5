"""Errors are logged like requests: an unhandled error is one JSON line with its request id."""

from __future__ import annotations

import json

import pytest
from flask import Flask

from catalog.server.logs import JsonFormatter


def test_an_unhandled_error_is_one_json_line(
    app: Flask, capsys: pytest.CaptureFixture[str]
) -> None:
    def boom() -> str:
        raise ZeroDivisionError("secret internals")

    app.add_url_rule("/boom", view_func=boom)
    response = app.test_client().get("/boom", headers={"X-Request-ID": "req-13-3"})
    assert response.status_code == 500
    assert "secret" not in response.get_data(as_text=True)  # the client sees no internals
    assert response.headers["X-Request-ID"] == "req-13-3"

    lines = capsys.readouterr().err.splitlines()
    entries = [json.loads(line) for line in lines]  # every line is JSON, none plain text
    errors = [entry for entry in entries if entry.get("level") == "error"]
    assert len(errors) == 1
    error = errors[0]
    assert error["request_id"] == "req-13-3"
    assert error["path"] == "/boom" and error["method"] == "GET"
    assert error["error"] == "ZeroDivisionError: secret internals"
    assert "Traceback" in error["traceback"] and "in boom" in error["traceback"]
    # The access line of the same request carries the same id.
    access = [e for e in entries if "level" not in e and e["request_id"] == "req-13-3"]
    assert [e["status"] for e in access] == [500]


def test_an_error_without_a_client_id_gets_the_response_id(
    app: Flask, capsys: pytest.CaptureFixture[str]
) -> None:
    def boom() -> str:
        raise RuntimeError("no id given")

    app.add_url_rule("/boom", view_func=boom)
    response = app.test_client().get("/boom")
    error = next(
        entry
        for entry in map(json.loads, capsys.readouterr().err.splitlines())
        if entry.get("level") == "error"
    )
    assert error["request_id"] == response.headers["X-Request-ID"]


def test_gunicorn_lines_are_json_too() -> None:
    """gunicorn's own errors (outside any request) go through catalog.server.logs' formatter."""
    import logging
    import sys

    try:
        raise ValueError("in the worker")
    except ValueError:
        record = logging.LogRecord(
            "gunicorn.error",
            logging.ERROR,
            __file__,
            1,
            "Error handling request %s",
            ("/x",),
            sys.exc_info(),
        )
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "Error handling request /x" and entry["level"] == "error"
    assert "ValueError: in the worker" in entry["traceback"]
