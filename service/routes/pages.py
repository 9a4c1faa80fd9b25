"""HTML pages and browser assets: the demo clinic page (/), the staff page (/staff) and the widget files.

Pages are Jinja templates in `service/pages/` rendered with their own autoescaping environment; they hold
no inline script or style, so the strict Content-Security-Policy set in `service.app` applies unchanged.
Static files are served from a fixed whitelist: a name not in it is a 404, whatever it contains.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from service.config import Settings
from service.schemas import MAX_REVIEW_CHARS

router = APIRouter(include_in_schema=False)

_ROOT = Path(__file__).resolve().parent.parent
_STATIC = _ROOT / "static"
_MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
# name -> may other sites cache it briefly (the widget is embedded on clinic pages)
STATIC_FILES: dict[str, bool] = {
    "widget.js": True,
    "widget.css": True,
    "staff.js": False,
    "staff.css": False,
    "library.css": False,
    "library-core.js": False,
    "library-docs.js": False,
    "library-answers.js": False,
    "library-publish.js": False,
    "demo.css": False,
}
_WIDGET_CACHE = "public, max-age=300"

_env = Environment(
    loader=FileSystemLoader(str(_ROOT / "pages")),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _page(name: str, **context: Any) -> HTMLResponse:
    return HTMLResponse(_env.get_template(name).render(**context))


def _static(name: str) -> FileResponse:
    cacheable = STATIC_FILES.get(name)
    if cacheable is None:
        raise HTTPException(404, "not found")
    headers = {"Cache-Control": _WIDGET_CACHE} if cacheable else None
    return FileResponse(_STATIC / name, media_type=_MEDIA_TYPES[Path(name).suffix], headers=headers)


@router.get("/", response_class=HTMLResponse)
def demo_page(request: Request) -> HTMLResponse:
    """A mock clinic page that embeds the widget with one script tag."""
    settings = _settings(request)
    return _page("demo.html", clinic_name=settings.clinic_name, emergency=settings.contacts.emergency)


@router.get("/staff", response_class=HTMLResponse)
def staff_page(request: Request) -> HTMLResponse:
    """Public HTML; the data behind it needs the staff token, which the page keeps in memory only."""
    return _page("staff.html", clinic_name=_settings(request).clinic_name, max_review_chars=MAX_REVIEW_CHARS)


@router.api_route("/widget.js", methods=["GET", "HEAD"])
def widget_js() -> FileResponse:
    return _static("widget.js")


@router.api_route("/widget.css", methods=["GET", "HEAD"])
def widget_css() -> FileResponse:
    return _static("widget.css")


@router.api_route("/static/{name}", methods=["GET", "HEAD"])
def static_file(name: str) -> FileResponse:
    return _static(name)
