"""A FastAPI app of its own (JSON routes) with a jupyter_session app mounted at ``/tool``:
``python -m uvicorn fastapi_site:app --port N [--root-path /prefix]`` from tests/e2e/."""

from __future__ import annotations

from backend_apps import tool
from fastapi import FastAPI, Request

from jupyter_session.platform.fastapi import asgi_app

app = FastAPI()


@app.get("/api/items/{item}")
def read_item(item: int, request: Request) -> dict[str, object]:
    return {"item": item, "root_path": request.scope.get("root_path", "")}


app.mount("/tool", asgi_app(tool))
