"""What every router needs: the settings, the engine, and the token check.

The app factory stores an ApiContext on `app.state.ctx`; routers get it through
`get_ctx`. Mutating endpoints depend on `require_token` (bearer token from
config, compared in constant time).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine

from tradecycle.config import SettingsModel


@dataclass
class ApiContext:
    settings: SettingsModel
    engine: Engine
    extras: dict[str, Any] = field(default_factory=dict)


def get_ctx(request: Request) -> ApiContext:
    return request.app.state.ctx


_bearer = HTTPBearer(auto_error=False)


def require_token(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    expected = get_ctx(request).settings.api.token
    if expected is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "no API token is configured (set api.token or TRADECYCLE_API__TOKEN); mutating endpoints are disabled",
        )
    given = credentials.credentials if credentials else ""
    if not hmac.compare_digest(given.encode(), expected.get_secret_value().encode()):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "missing or wrong bearer token")


Ctx = Annotated[ApiContext, Depends(get_ctx)]
Authorized = Depends(require_token)
