"""The local web app: ``create_app(settings)`` builds it; ``kneeguard serve`` runs it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI


def create_app(*args: Any, **kwargs: Any) -> FastAPI:
    from kneeguard.web.app import create_app as build

    return build(*args, **kwargs)


__all__ = ["create_app"]
