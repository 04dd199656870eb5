"""gunicorn's own log lines (start, workers, errors outside a request) as JSON, like the app's.

The app writes one JSON object a line to standard error (observe.py); gunicorn's logger would
interleave plain text, tracebacks on several lines. This logger class keeps gunicorn's logic
and changes only the shape of each line. gunicorn_conf.py names it.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

from gunicorn import glogging


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, pid, and the traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        entry: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.created)),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
        }
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry)


class Logger(glogging.Logger):
    """gunicorn's logger, its error log (and anything logged to the root logger) in JSON."""

    def setup(self, cfg: Any) -> None:
        """Set gunicorn's handlers up, then give each the JSON formatter."""
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.setFormatter(JsonFormatter())
        # Libraries that log through the root logger would otherwise print plain text.
        root = logging.getLogger()
        if not root.handlers:
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(JsonFormatter())
            root.addHandler(handler)
