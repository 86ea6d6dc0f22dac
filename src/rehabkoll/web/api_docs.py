"""``/api/docs``: Swagger UI 5 (it reads OpenAPI 3.1) for the JSON API, from
the fastapi-offline package's own files (no CDN); only its assets are used.
The page loads only files of this origin, so the app's Content-Security-Policy
holds: the start script is ``static/api-docs.js``."""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSET_DIR = Path(fastapi_offline.__file__).parent / "static"

ASSETS = "/api/docs-assets"
router = APIRouter(include_in_schema=False)

PAGE = f"""<!doctype html>
<html lang="sv">
<head>
<meta charset="utf-8">
<title>rehabkoll – API</title>
<link rel="stylesheet" href="{ASSETS}/swagger-ui.css">
</head>
<body>
<main id="swagger-ui" aria-label="rehabkolls API"></main>
<script src="{ASSETS}/swagger-ui-bundle.js"></script>
<script src="/static/api-docs.js"></script>
</body>
</html>
"""


@router.get("/api/docs", response_class=HTMLResponse)
def docs() -> HTMLResponse:
    return HTMLResponse(PAGE)


def install(app: FastAPI) -> None:
    """The page and the package's assets."""
    app.mount(ASSETS, StaticFiles(directory=ASSET_DIR), name="api-docs-assets")
    app.include_router(router)
