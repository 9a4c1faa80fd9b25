"""Text from outside (a patient's question, a staff query or draft answer), made safe once, at the edge.

`clean_text` runs when a request body or query is validated, before anything else sees the text:
- lone UTF-16 surrogates (JSON allows "\\ud800"; Python strings can hold them, UTF-8 cannot encode them and
  the tokenizer raises) are dropped;
- ANSI escape sequences are removed whole; other control characters (NUL, C0 and C1, DEL) become a space
  when Unicode counts them as white space (line breaks and tabs stay as they are) and U+FFFD otherwise, so
  nothing raw is ever echoed, and the rule the OpenAPI schema states (`VISIBLE_TEXT_SCHEMA`: a character
  that is neither white space nor invisible) is exactly the rule applied;
- zero-width and other invisible format characters (U+200B-U+200F, U+2060-U+2064, U+FEFF) are
  removed;
- the result is NFC-normalised and stripped.

Text with nothing visible left is refused (422, by the route), so "\\u200b\\u200b" is no more a question than "".
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated

from pydantic import BeforeValidator
from pydantic.config import JsonDict

from service.errors import InvalidQuestion, QuestionTooLong

_SURROGATES = re.compile("[\ud800-\udfff]")
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_REPLACEMENT = "\ufffd"
_INVISIBLE = re.compile("[\u200b-\u200f\u2060-\u2064\ufeff]")


def clean_text(text: str) -> str:
    """`text` without surrogates, escapes, raw control and invisible characters; NFC, stripped."""
    text = _SURROGATES.sub("", text)
    text = _ANSI.sub("", text)
    text = _CONTROL.sub(lambda m: " " if m.group().isspace() else _REPLACEMENT, text)
    text = _INVISIBLE.sub("", text)
    return unicodedata.normalize("NFC", text).strip()


def _clean_input(value: object) -> object:
    # before pydantic's own str validation, which refuses a lone surrogate outright
    return clean_text(value) if isinstance(value, str) else value


PatientText = Annotated[str, BeforeValidator(_clean_input)]
"""A request string, cleaned by `clean_text` before anything else sees it. The routes refuse it when nothing
visible is left, with their own error code (`invalid_question`, `invalid_answer`)."""

VISIBLE_TEXT_SCHEMA: JsonDict = {
    "minLength": 1,
    # the characters themselves, not \\u escapes, which not every schema tool reads inside a class. Lone
    # surrogates are not in it: a JSON-schema string cannot hold one (jsonschema-rs, which schemathesis uses,
    # refuses the pattern), and cleaning removes them.
    "pattern": "[^\\s\u200b-\u200f\u2060-\u2064\ufeff]",
}
"""What the OpenAPI schema says of such a field: at least one visible character."""


def checked_text(
    text: str,
    name: str,
    limit: int,
    empty: type[InvalidQuestion] = InvalidQuestion,
    too_long: type[QuestionTooLong] = QuestionTooLong,
) -> str:
    """A cleaned request text stripped, refused when nothing is left (`empty`, 422) or when it is over
    `limit` characters (`too_long`, 413): the one check of /ask, staff search and review."""
    stripped = text.strip()
    if not stripped:
        raise empty(f"{name} must not be empty")
    if len(stripped) > limit:
        raise too_long(f"{name} is over {limit} characters")
    return stripped
