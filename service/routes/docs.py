"""OpenAPI docs at /docs, served from the swagger-ui-bundle package: no CDN, no inline script."""

from __future__ import annotations

from pathlib import Path

import swagger_ui_bundle
from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, HTMLResponse

router = APIRouter(include_in_schema=False)
_SWAGGER = Path(swagger_ui_bundle.swagger_ui_path)
_STATIC = Path(__file__).resolve().parent.parent / "static"
_ALLOWED = {"swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png"}
_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Clinic assistant API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/docs-init.js"></script></body></html>"""


@router.get("/docs")
def docs() -> HTMLResponse:
    return HTMLResponse(_PAGE)


@router.get("/docs/assets/{name}")
def docs_asset(name: str) -> FileResponse:
    if name == "docs-init.js":
        return FileResponse(_STATIC / name, media_type="text/javascript")
    if name not in _ALLOWED:
        raise HTTPException(404, "not found")
    return FileResponse(_SWAGGER / name)
