"""What the triage decides about one message: the kind of reply, and which layer and rule decided it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

SELF_HARM = "self_harm"


class TriageKind(StrEnum):
    EMERGENCY = "emergency"
    PERSONAL_ADVICE = "personal_advice"
    RETRIEVAL = "retrieval"


@dataclass(frozen=True)
class TriageResult:
    """One verdict. Carries category and rule ids only, never the message text.

    ``rule`` is "<section>.<category>:<phrase as written in the file>" for the phrase layer and
    "classifier:<class>" for the learned layer. ``crisis_line`` asks the reply to show the crisis line: set for
    every self-harm emergency, and for a personal-advice reply whose message also shows despair.
    """

    kind: TriageKind
    category: str | None
    rule: str | None
    layer: str | None = None  # "phrases" | "classifier" | None (nothing fired)
    crisis_line: bool = False

    @property
    def is_self_harm(self) -> bool:
        return self.kind is TriageKind.EMERGENCY and self.category == SELF_HARM


RETRIEVAL = TriageResult(TriageKind.RETRIEVAL, None, None)
