"""Request bodies of the library console (docs/library-console.md). Responses are the store's rows."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Name = Field(min_length=1, max_length=120, description="who does this (recorded in the audit trail)")


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ActorBody(Body):
    actor: str = Name


class MetadataPatch(Body):
    actor: str = Name
    title: str | None = Field(None, max_length=500)
    publisher: str | None = Field(None, max_length=500)
    doc_type: str | None = Field(None, max_length=200)
    url: str | None = Field(None, max_length=2000)
    published: dt.date | Literal[""] | None = None
    reviewed: dt.date | Literal[""] | None = None
    review_due: dt.date | Literal[""] | None = None


class AnswerDraft(Body):
    actor: str = Name
    answer_id: str | None = Field(None, max_length=100)
    questions: list[str] = Field(min_length=1, max_length=50)
    answer: str = Field(min_length=1, max_length=5000)
    citations: list[str] = Field(min_length=1, max_length=20)


class AnswerPatch(Body):
    actor: str = Name
    questions: list[str] | None = Field(None, min_length=1, max_length=50)
    answer: str | None = Field(None, min_length=1, max_length=5000)
    citations: list[str] | None = Field(None, min_length=1, max_length=20)


class ApproveBody(Body):
    approver: str = Name
    approved_on: dt.date | None = None


class Feedback(Body):
    request_id: str = Field(pattern=r"^[A-Za-z0-9-]{8,64}$")
    rating: Literal["helpful", "not_helpful"]
