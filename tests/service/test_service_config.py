"""Settings are validated at start-up, and a bad one is named."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from service.__main__ import main
from service.config import Settings


@pytest.mark.parametrize(
    ("region", "emergency", "crisis", "urgent"),
    [("US", "911", "988", None), ("uk", "999", "116 123", "111"), ("EU", "112", None, None)],
)
def test_region_decides_the_numbers(
    region: str, emergency: str, crisis: str | None, urgent: str | None
) -> None:
    contacts = Settings(region=region).contacts  # type: ignore[arg-type]
    assert (contacts.emergency, contacts.crisis_line, contacts.urgent_advice) == (emergency, crisis, urgent)


def test_environment_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLINIC_CLINIC_NAME", "Hilltop Clinic")
    monkeypatch.setenv("CLINIC_REGION", "UK")
    monkeypatch.setenv("CLINIC_MAX_QUESTION_CHARS", "500")
    settings = Settings()
    assert (settings.clinic_name, settings.region, settings.max_question_chars) == (
        "Hilltop Clinic",
        "UK",
        500,
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("region", "MARS"),
        ("staff_token", "short"),
        ("max_question_chars", 0),
        ("relevance_threshold", 2.0),
        ("chunk_overlap_tokens", 170),
        ("embedding_model", "  "),
    ],
)
def test_invalid_settings_name_the_field(field: str, value: object) -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(**{field: value})
    assert field in str(caught.value)


def test_service_refuses_to_start_with_a_bad_setting(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CLINIC_REGION", "ATLANTIS")
    assert main(["--port", "0"]) == 2
    assert "CLINIC_REGION" in capsys.readouterr().err
