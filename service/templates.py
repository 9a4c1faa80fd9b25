"""The one Jinja2 environment for answer templates in `prompts/`.

Every template exists twice: `<name>.html.j2` (autoescaped: passages and questions are escaped) and
`<name>.txt.j2` (plain text, for clients that insert it as text; escaping it would show `&lt;` to patients).
Staff edit the wording in `prompts/` without touching code; templates are loaded and checked at start-up.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError

ANSWER_TYPES = ("answer", "approved", "no_answer", "personal_advice", "emergency", "unavailable")


class TemplateSetError(Exception):
    """A template is missing or does not compile; the message names it."""


class Templates:
    def __init__(self, directory: Path) -> None:
        self.env = Environment(
            loader=FileSystemLoader(str(directory)),
            autoescape=_autoescape,  # escaped unless the template is plain text
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
        )
        for kind in ANSWER_TYPES:
            for variant in ("txt", "html"):
                name = f"{kind}.{variant}.j2"
                try:
                    self.env.get_template(name)
                except TemplateError as exc:
                    raise TemplateSetError(f"{directory / name}: {exc}") from exc

    def render(self, kind: str, **context: Any) -> tuple[str, str]:
        """(plain text, HTML) renderings of the template for an answer type."""
        text = self.env.get_template(f"{kind}.txt.j2").render(**context).strip() + "\n"
        html = self.env.get_template(f"{kind}.html.j2").render(**context).strip() + "\n"
        return text, html


def _autoescape(name: str | None) -> bool:
    return not (name or "").endswith(".txt.j2")
