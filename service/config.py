"""The service's one settings object (environment prefix `CLINIC_`), validated at start-up."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator

from index.config import IndexSettings
from service.log_format import LogFormat
from service.rate_limits import parse_limits, parse_networks

Region = Literal["US", "UK", "EU"]


@dataclass(frozen=True)
class EmergencyContacts:
    """Numbers shown to patients. Only numbers the region really has; nothing invented."""

    emergency: str
    crisis_line: str | None  # suicide and self-harm crisis line
    crisis_line_name: str | None
    urgent_advice: str | None  # non-emergency urgent medical advice line
    urgent_advice_name: str | None


EMERGENCY_CONTACTS: dict[str, EmergencyContacts] = {
    "US": EmergencyContacts("911", "988", "the 988 Suicide & Crisis Lifeline", None, None),
    "UK": EmergencyContacts("999", "116 123", "Samaritans", "111", "NHS 111"),
    "EU": EmergencyContacts("112", None, None, None, None),
}


class Settings(IndexSettings):
    """Everything the service reads from the environment. Invalid values stop start-up with the field name."""

    staff_token: SecretStr | None = Field(None, description="Bearer token for the staff endpoints")
    clinic_name: str = Field("the clinic", min_length=1, max_length=120)
    clinic_phone: str | None = Field(None, max_length=40, description="shown in referrals; unknown if unset")
    clinic_hours: str | None = Field(None, max_length=200)
    region: Region = "US"
    max_question_chars: int = Field(1000, ge=10, le=20000)
    relevance_threshold: float = Field(
        0.3,
        ge=0.0,
        le=1.0,
        description="calibrated on the seed library: questions it answers score 0.43+, others 0.08-",
    )
    max_passages: int = Field(3, ge=1, le=3)
    query_threads: int = Field(1, ge=0, le=64, description="threads per question for the encoder and FAISS")
    query_batch_max: int = Field(
        16, ge=1, le=256, description="concurrent questions encoded and searched together; 1: off"
    )
    answer_cache_entries: int = Field(2048, ge=0, le=1_000_000, description="LRU cache of answers; 0: off")
    approved_match_threshold: float = Field(
        0.9,
        ge=0.0,
        le=1.0,
        description="cosine between a question and an approved answer's question variant needed to serve that "
        "approved answer (content words must overlap too). Seed calibration: close rewordings 0.93+, "
        "different questions about the same drug up to 0.87",
    )
    allowed_origins: list[str] = Field(default_factory=list, description="CORS origins allowed to call /api")
    rate_limit_ask: str = Field(
        "300/minute;3000/hour",
        description="/api/v1/ask per client address (generous: a clinic may be one NAT)",
    )
    rate_limit_staff: str = Field("120/minute", description="staff routes per client address")
    rate_limit_failed_token: str = Field(
        "5/minute;20/hour", description="failed staff tokens per client address; past it, staff routes lock"
    )
    reload_interval: float = Field(
        5.0, ge=0.0, le=3600.0, description="seconds between checks for a newly built index; 0: no polling"
    )
    log_format: LogFormat = Field("json", description="json: one JSON object a line; text: plain lines")
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="reverse proxies (addresses or networks) whose X-Forwarded-For names the client; "
        "from any other peer the header is ignored",
    )
    max_upload_bytes: int = Field(
        20 * 1024 * 1024, ge=1024, le=500 * 1024 * 1024, description="largest document staff may upload"
    )
    unanswered_retention_days: int = Field(
        30,
        ge=0,
        le=3650,
        description="days a PHI-scrubbed question that got no answer is kept for staff to see; 0: never kept",
    )
    prompts_dir: Path = Path(__file__).resolve().parent.parent / "prompts"
    triage_phrases: Path | None = Field(None, description="phrase file; default service/triage/phrases.yaml")
    triage_model_dir: Path | None = Field(
        None,
        description="trained triage classifier; default service/triage/model (built by make triage-model)",
    )

    @field_validator("rate_limit_ask", "rate_limit_staff", "rate_limit_failed_token")
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        parse_limits(value)  # ValueError naming the text
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        parse_networks(value)  # ValueError naming the bad address
        return value

    @field_validator("region", mode="before")
    @classmethod
    def _region_upper(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("staff_token")
    @classmethod
    def _token_strong_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 16:
            raise ValueError("staff_token must be at least 16 characters")
        return value

    @property
    def contacts(self) -> EmergencyContacts:
        return EMERGENCY_CONTACTS[self.region]
