"""Application logs as JSON lines, configured in every worker process (each one calls `configure_logging`
from `create_app`; uvicorn's `--workers` children never run the parent's `logging.basicConfig`).

One line per record: time (UTC, ISO 8601), level, logger, message, and the request fields a record carries
(`request_id`, `method`, `route`, `status`, `ms`, `answer_type`, `doc_ids`). JSON escapes every control
character, so a value can never start a new line or send a terminal escape. Never logged: a question, a
query string, a path parameter (the route is the template), an exception's message (only its type).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from typing import Literal

LogFormat = Literal["json", "text"]
FIELDS = ("request_id", "method", "route", "status", "ms", "answer_type", "doc_ids")
_MARK = "_clinic_handler"


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in FIELDS:
            if hasattr(record, name):
                data[name] = getattr(record, name)
        if record.exc_info and record.exc_info[0] is not None:
            data["error_type"] = record.exc_info[0].__name__  # the type only: a message may quote a question
        return json.dumps(data, ensure_ascii=True, default=str)


def configure_logging(fmt: LogFormat = "json", level: str = "INFO") -> None:
    """One stderr handler on the `clinic` loggers (idempotent: a second call replaces the first's)."""
    logger = logging.getLogger("clinic")
    for handler in [h for h in logger.handlers if getattr(h, _MARK, False)]:
        logger.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    setattr(handler, _MARK, True)
    handler.setFormatter(
        JsonLines() if fmt == "json" else logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    )
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = True  # pytest's caplog and any handler on the root still see the records
