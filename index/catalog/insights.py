"""What patients could not find, without keeping what they wrote.

Per day: how many replies were `no_answer` and `personal_advice`, and how many answers patients rated helpful
or not helpful (by request id, one rating per reply). For `no_answer` only, the question is kept after the PHI
scrub (the service passes `service.insights.scrubbing.PhiScrubber`), for `CLINIC_UNANSWERED_RETENTION_DAYS` days (0: never kept), so staff
can see what the library is missing. Nothing else about a question is written anywhere.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Callable
from typing import Any, Literal

from sqlalchemy import delete, func, select

from index import clock
from index.catalog.schema import DailyCountRecord, RatingRecord, UnansweredRecord
from index.catalog.store import LibraryStore

Scrub = Callable[[str], str]

CountedReply = Literal["no_answer", "personal_advice"]
Rating = Literal["helpful", "not_helpful"]
REQUEST_ID = re.compile(r"[A-Za-z0-9-]{8,64}")
PURGE_EVERY = dt.timedelta(hours=1)


class InsightStore:
    def __init__(self, store: LibraryStore, retention_days: int, scrub: Scrub) -> None:
        self.store = store
        self.retention_days = retention_days
        self.scrub = scrub
        self._purged: dt.datetime | None = None
        self._lock = threading.Lock()

    def record_reply(self, kind: str, question: str) -> None:
        """Count a `no_answer` or `personal_advice` reply; keep a `no_answer` question, scrubbed."""
        if kind not in ("no_answer", "personal_advice"):
            return
        today = clock.today()
        kept = self.scrub(question) if kind == "no_answer" and self.retention_days > 0 else None
        with self.store.session() as session:
            record = session.get(DailyCountRecord, (today, kind))
            if record is None:
                session.add(DailyCountRecord(day=today, kind=kind, count=1))
            else:
                record.count += 1
            if kept:
                session.add(UnansweredRecord(day=today, text=kept))
        self._purge_now_and_then()

    def rate(self, request_id: str, rating: Rating) -> None:
        with self.store.session() as session:
            record = session.get(RatingRecord, request_id)
            if record is None:
                session.add(RatingRecord(request_id=request_id, day=clock.today(), rating=rating))
            else:
                record.rating = rating

    def daily(self, days: int) -> list[dict[str, Any]]:
        today = clock.today()
        first = today - dt.timedelta(days=days - 1)
        table: dict[dt.date, dict[str, int]] = {
            first + dt.timedelta(days=n): {
                "no_answer": 0,
                "personal_advice": 0,
                "helpful": 0,
                "not_helpful": 0,
            }
            for n in range(days)
        }
        with self.store.session() as session:
            for row in session.scalars(select(DailyCountRecord).where(DailyCountRecord.day >= first)):
                if row.day in table:
                    table[row.day][row.kind] = row.count
            ratings = session.execute(
                select(RatingRecord.day, RatingRecord.rating, func.count())
                .where(RatingRecord.day >= first)
                .group_by(RatingRecord.day, RatingRecord.rating)
            )
            for day, rating, count in ratings:
                if day in table:
                    table[day][rating] = int(count)
        return [{"day": day.isoformat(), **counts} for day, counts in sorted(table.items(), reverse=True)]

    def unanswered(self) -> list[tuple[str, str]]:
        """(day, scrubbed question) of the questions kept, oldest first, after dropping expired ones."""
        self.purge()
        if self.retention_days == 0:
            return []
        with self.store.session() as session:
            rows = session.scalars(select(UnansweredRecord).order_by(UnansweredRecord.id))
            return [(r.day.isoformat(), r.text) for r in rows]

    def purge(self) -> int:
        """Delete kept questions older than the retention period (all of them when it is 0)."""
        cutoff = clock.today() - dt.timedelta(days=self.retention_days)
        with self.store.session() as session:
            query = delete(UnansweredRecord)
            if self.retention_days > 0:
                query = query.where(UnansweredRecord.day <= cutoff)
            removed = session.execute(query).rowcount  # type: ignore[attr-defined]
        self._purged = dt.datetime.now(dt.UTC)
        return int(removed or 0)

    def _purge_now_and_then(self) -> None:
        with self._lock:
            due = self._purged is None or dt.datetime.now(dt.UTC) - self._purged > PURGE_EVERY
        if due:
            self.purge()
