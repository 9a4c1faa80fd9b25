"""A bounded LRU cache of answers, keyed by the question exactly as asked.

A clinic's widget sees the same questions again and again. Entries hold rendered answers (never logged);
the cache lives in the runtime, so loading a new index starts an empty one.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Generic, TypeVar

Value = TypeVar("Value")


def question_key(question: str) -> str:
    """The question exactly as asked (edge-cleaned and stripped). Answers quote the patient's own wording, so
    a key that ignored case or spacing would show a later patient the first asker's words."""
    return question.strip()


class LRUCache(Generic[Value]):
    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[str, Value] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> Value | None:
        with self._lock:
            value = self._entries.get(key)
            if value is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: str, value: Value) -> None:
        if self.max_entries <= 0:
            return
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
