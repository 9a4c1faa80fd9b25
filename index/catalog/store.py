"""The store's engine, its migrations and the audit trail.

`LibraryStore(url)` opens the database (SQLite by default: `sqlite:///var/library.db`, created with its
folder; any SQLAlchemy URL, e.g. `postgresql+psycopg://user@host/clinic`), and `migrate()` brings its schema
to the newest Alembic revision. SQLite runs in WAL mode with a busy timeout, so the service's workers can
write beside each other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from index.catalog.schema import AuditRecord
from index.errors import CatalogError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def aware(value: dt.datetime) -> dt.datetime:
    """A stored time in UTC with its offset (SQLite gives them back without one)."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


class LibraryStore:
    def __init__(self, url: str) -> None:
        self.url = url
        try:
            if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
                Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
            self.engine: Engine = create_engine(url, future=True)
        except (SQLAlchemyError, OSError, ValueError) as exc:
            raise CatalogError(f"cannot open the library store {_safe(url)}: {exc}") from exc
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def migrate(self) -> None:
        """Upgrade the schema to the newest revision (a no-op when it is there already)."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        try:
            with self.engine.begin() as connection:
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
        except SQLAlchemyError as exc:
            raise CatalogError(f"cannot migrate the library store {_safe(self.url)}: {exc}") from exc

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except SQLAlchemyError as exc:
            session.rollback()
            raise CatalogError(f"library store error: {type(exc).__name__}") from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def audit(self, session: Session, actor: str, action: str, target: str, detail: str = "") -> None:
        session.add(AuditRecord(at=now(), actor=actor, action=action, target=target, detail=detail))

    def audit_trail(self, limit: int = 100) -> list[dict[str, Any]]:
        with self.session() as session:
            rows = session.scalars(select(AuditRecord).order_by(AuditRecord.id.desc()).limit(limit))
            return [
                {
                    "at": aware(r.at).isoformat(),
                    "actor": r.actor,
                    "action": r.action,
                    "target": r.target,
                    "detail": r.detail,
                }
                for r in rows
            ]

    def close(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url
