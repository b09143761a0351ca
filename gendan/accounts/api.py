"""The current user and their API tokens."""

import datetime as dt

from ninja import Field, Path, Router, Schema, Status

from gendan.accounts.selectors import api_token_list
from gendan.accounts.services import api_token_create, api_token_revoke
from gendan.core.schemas import ERRORS, MAX_ID, UserRef

router = Router(tags=["accounts"])


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    email: str
    department: str = Field(..., description="Department code, empty if none")
    supervisor: UserRef | None
    roles: list[str]
    is_read_only: bool

    @staticmethod
    def resolve_department(obj) -> str:
        return obj.department_code

    @staticmethod
    def resolve_roles(obj) -> list[str]:
        return sorted(obj.roles)


class TokenIn(Schema):
    name: str = Field(..., min_length=1, max_length=50)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(..., description="First characters of the key, to recognise it")
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenCreatedOut(TokenOut):
    key: str = Field(..., description="The secret; shown only in this answer")


@router.get("/me", response={200: MeOut, **ERRORS}, summary="The logged-in user")
def me(request):
    return request.auth


@router.post("/tokens", response={201: TokenCreatedOut, **ERRORS}, summary="Create an API token")
def token_create(request, payload: TokenIn):
    """A token for the logged-in user. The key is returned once; only its hash is stored."""
    token, key = api_token_create(user=request.auth, name=payload.name, self_service=True)
    token.key = key
    return Status(201, token)


@router.get("/tokens", response={200: list[TokenOut], **ERRORS}, summary="My API tokens")
def token_list(request):
    return api_token_list(user=request.auth)


@router.delete("/tokens/{token_id}", response={204: None, **ERRORS}, summary="Revoke an API token")
def token_revoke(request, token_id: int = Path(..., ge=1, le=MAX_ID)):
    api_token_revoke(user=request.auth, token_id=token_id)
    return Status(204, None)
