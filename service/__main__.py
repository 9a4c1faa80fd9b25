"""`python -m service [--host H] [--port P] [--index DIR]`: validate settings, then serve."""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from pathlib import Path

import uvicorn
from pydantic import SecretStr, ValidationError

from service.app import create_app
from service.config import Settings

TOKEN_FILE = Path("var/staff-token")


def _local_token() -> str:
    """A staff token kept in var/staff-token (mode 0600), created on first use."""
    if TOKEN_FILE.is_file():
        return TOKEN_FILE.read_text(encoding="utf-8").strip()
    TOKEN_FILE.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(24)
    fd = os.open(TOKEN_FILE, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(token + "\n")
    return token


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m service", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--index", type=Path, help="index directory (default: CLINIC_INDEX_DIR)")
    parser.add_argument(
        "--workers", type=int, default=1, help="worker processes (they share the FAISS index)"
    )
    args = parser.parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as exc:
        for error in exc.errors():
            name = "CLINIC_" + "_".join(str(part) for part in error["loc"]).upper()
            print(f"invalid setting {name}: {error['msg']}", file=sys.stderr)
        return 2
    updates: dict[str, object] = {}
    if args.index is not None:
        updates["index_dir"] = args.index
    if settings.staff_token is None:
        token = _local_token()
        updates["staff_token"] = SecretStr(token)
        print(f"staff token (from {TOKEN_FILE}): {token}")
    if updates:
        settings = settings.model_copy(update=updates)
    print(f"patient chat demo: http://{args.host}:{args.port}/   staff: http://{args.host}:{args.port}/staff")
    if args.workers > 1:
        # each worker process builds its app from the environment; the FAISS file is memory-mapped and shared
        os.environ["CLINIC_INDEX_DIR"] = str(settings.index_dir)
        if settings.staff_token is not None:
            os.environ["CLINIC_STAFF_TOKEN"] = settings.staff_token.get_secret_value()
        uvicorn.run(
            "service.app:create_app",
            factory=True,
            workers=args.workers,
            host=args.host,
            port=args.port,
            access_log=False,
            log_level="info",
            proxy_headers=False,  # the client address is decided by CLINIC_TRUSTED_PROXIES (service/rate_limits.py)
        )
    else:
        uvicorn.run(
            create_app(settings),
            host=args.host,
            port=args.port,
            access_log=False,
            log_level="info",
            proxy_headers=False,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
