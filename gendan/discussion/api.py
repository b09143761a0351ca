"""Comment threads over the API.

A thread belongs to a document: `owner_type` is one of the registered kinds (gendan.discussion.registry:
"order", "exception", "complaint", and "change_request" once change requests are installed) and `owner_id` its
id. `/orders/{order_id}/comments` is the order's own thread. Whoever sees the document's order reads and writes
the thread (read-only roles read only); anyone else gets 404, as for a missing document.

Mentions are parsed from `body` ("@username" or "@display name"; the same rule as the screen), not sent as a
list: one text, one rule. `mentions` in the answer lists the usernames found. A mention of a colleague who
cannot see the order is refused (400, `extra.fields.body` names it) and nothing is saved.
"""

import datetime as dt
from typing import Annotated

from ninja import Field, Path, Query, Router, Schema

from gendan.core.schemas import ERRORS, MAX_ID, InputSchema, StrictId
from gendan.discussion import services
from gendan.discussion.models import BODY_MAX_LENGTH, Comment
from gendan.discussion.registry import COMMENT_OWNERS
from gendan.discussion.selectors import (
    comment_get,
    mentionable_users,
    thread_comments,
    thread_get,
)

router = Router(tags=["comments"])
orders_router = Router(tags=["comments"])

CommentId = Annotated[int, Path(..., ge=1, le=MAX_ID)]
OwnerId = Annotated[int, Path(..., ge=1, le=MAX_ID)]
OwnerType = Annotated[
    str,
    Path(
        ...,
        pattern=r"^[a-z][a-z_]{0,39}$",
        description="The kind of document: " + ", ".join(f"`{key}`" for key in sorted(COMMENT_OWNERS)) + ".",
    ),
]


class CommentOut(Schema):
    id: int
    owner_type: str
    owner_id: int
    order_id: int
    parent_id: int | None = Field(None, description="The comment replied to (replies are one level deep).")
    author: str = Field(..., description="The author's username.")
    author_name: str
    body: str = Field(..., description="Plain text, as written (empty once withdrawn). Escape it to show it.")
    mentions: list[str] = Field(..., description="Usernames @mentioned in the text.")
    created_at: dt.datetime
    edited_at: dt.datetime | None
    withdrawn: bool
    withdrawn_at: dt.datetime | None


class CommentIn(InputSchema):
    body: str = Field(
        ...,
        min_length=1,
        max_length=BODY_MAX_LENGTH,
        description="Plain text; @username or @display name mentions a colleague who can see the order.",
    )
    parent_id: StrictId | None = Field(None, description="Reply to this comment of the same thread.")


class CommentEditIn(InputSchema):
    body: str = Field(..., min_length=1, max_length=BODY_MAX_LENGTH)


class ColleagueOut(Schema):
    username: str
    name: str


class MentionFilters(Schema):
    q: str = Field("", max_length=50, description="Letters of a username or name.")


def comment_out(comment: Comment, owner_type: str) -> dict:
    withdrawn = comment.withdrawn_at is not None
    return {
        "id": comment.pk,
        "owner_type": owner_type,
        "owner_id": comment.owner_id,
        "order_id": comment.order_id,
        "parent_id": comment.parent_id,
        "author": comment.author.username,
        "author_name": str(comment.author),
        "body": "" if withdrawn else comment.body,
        "mentions": [] if withdrawn else sorted(m.user.username for m in comment.mentions.all()),
        "created_at": comment.created_at,
        "edited_at": comment.edited_at,
        "withdrawn": withdrawn,
        "withdrawn_at": comment.withdrawn_at,
    }


def _list(request, owner_type: str, owner_id: int) -> list[dict]:
    thread = thread_get(user=request.auth, owner_type=owner_type, owner_id=owner_id)
    return [comment_out(c, thread.key) for c in thread_comments(thread=thread)]


def _post(request, owner_type: str, owner_id: int, payload: CommentIn) -> tuple[int, dict]:
    thread = thread_get(user=request.auth, owner_type=owner_type, owner_id=owner_id)
    comment = services.comment_post(
        owner=thread.owner, actor=request.auth, body=payload.body, parent_id=payload.parent_id
    )
    return 201, comment_out(comment_get(user=request.auth, pk=comment.pk), thread.key)


def _owner_key(comment: Comment) -> str:
    from gendan.discussion.registry import comment_owner_for

    return comment_owner_for(comment.owner_type.model_class()).key


@router.get(
    "/{owner_type}/{owner_id}", response={200: list[CommentOut], **ERRORS}, summary="A document's comments"
)
def comment_list_api(request, owner_type: OwnerType, owner_id: OwnerId):
    return _list(request, owner_type, owner_id)


@router.post("/{owner_type}/{owner_id}", response={201: CommentOut, **ERRORS}, summary="Comment or reply")
def comment_create_api(request, owner_type: OwnerType, owner_id: OwnerId, payload: CommentIn):
    return _post(request, owner_type, owner_id, payload)


@router.get(
    "/{owner_type}/{owner_id}/mentionable",
    response={200: list[ColleagueOut], **ERRORS},
    summary="Colleagues who can be @mentioned here (they see the order)",
)
def comment_mentionable_api(
    request, owner_type: OwnerType, owner_id: OwnerId, filters: Query[MentionFilters]
):
    thread = thread_get(user=request.auth, owner_type=owner_type, owner_id=owner_id)
    return [{"username": u.username, "name": str(u)} for u in mentionable_users(thread=thread, q=filters.q)]


@router.post(
    "/{comment_id}/actions/edit",
    response={200: CommentOut, **ERRORS},
    summary="Edit my comment (within 15 minutes of posting)",
)
def comment_edit_api(request, comment_id: CommentId, payload: CommentEditIn):
    comment = comment_get(user=request.auth, pk=comment_id)
    services.comment_edit(comment=comment, actor=request.auth, body=payload.body)
    return comment_out(comment_get(user=request.auth, pk=comment_id), _owner_key(comment))


@router.post(
    "/{comment_id}/actions/withdraw", response={200: CommentOut, **ERRORS}, summary="Withdraw my comment"
)
def comment_withdraw_api(request, comment_id: CommentId):
    comment = comment_get(user=request.auth, pk=comment_id)
    services.comment_withdraw(comment=comment, actor=request.auth)
    return comment_out(comment_get(user=request.auth, pk=comment_id), _owner_key(comment))


@orders_router.get(
    "/{order_id}/comments", response={200: list[CommentOut], **ERRORS}, summary="An order's comments"
)
def order_comment_list_api(request, order_id: OwnerId):
    return _list(request, "order", order_id)


@orders_router.post(
    "/{order_id}/comments", response={201: CommentOut, **ERRORS}, summary="Comment on an order"
)
def order_comment_create_api(request, order_id: OwnerId, payload: CommentIn):
    return _post(request, "order", order_id, payload)
