"""The one clock. Whether a document may be cited, whether an approved answer's sign-off date has come, and
the build's expiry warnings all ask `today()` here (tests pass a date instead), and whether a document is
current has one rule: `index.ingest.documents.Document.is_current`."""

from __future__ import annotations

import datetime as dt


def today() -> dt.date:
    """Today's date on this machine's clock (the clinic's local date)."""
    return dt.date.today()
