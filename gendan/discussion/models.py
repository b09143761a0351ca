"""A comment thread on any registered document (registry.py): comments, their edits and their @mentions.

Comments are never deleted: an author withdraws one (the text stays on file, no longer shown) and an edit keeps
the previous text as a CommentEdit row.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

BODY_MAX_LENGTH = 2000


class Comment(models.Model):
    owner_type = models.ForeignKey(
        ContentType, verbose_name=_("document type"), on_delete=models.PROTECT, related_name="+"
    )
    owner_id = models.PositiveBigIntegerField(_("document id"))
    owner = GenericForeignKey("owner_type", "owner_id")
    # The owner's order, kept on the row: a thread is scoped by it (orders.selectors.order_visible_exists),
    # and an order's page can count every comment on its documents without asking each owning app.
    order = models.ForeignKey(
        "orders.Order", verbose_name=_("order"), on_delete=models.PROTECT, related_name="comments"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("reply to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replies",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField(_("comment"), max_length=BODY_MAX_LENGTH)
    created_at = models.DateTimeField(_("posted at"), auto_now_add=True)
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawn by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["owner_type", "owner_id", "created_at"], name="discussion_owner_time"),
            models.Index(fields=["order", "created_at"], name="discussion_order_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(body=""),
                name="discussion_comment_body_not_empty",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_by__isnull=False),
                name="discussion_comment_withdrawn_by",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class CommentEdit(models.Model):
    """The text a comment had before an edit (append-only: the edit is on the record)."""

    comment = models.ForeignKey(
        Comment, verbose_name=_("comment"), on_delete=models.PROTECT, related_name="edits"
    )
    previous_body = models.TextField(_("previous text"))
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("edited by"), on_delete=models.PROTECT, related_name="+"
    )
    edited_at = models.DateTimeField(_("edited at"), auto_now_add=True)

    class Meta:
        verbose_name = _("comment edit")
        verbose_name_plural = _("comment edits")
        ordering = ["edited_at", "id"]


class CommentMention(models.Model):
    """A colleague @mentioned in a comment's current text (kept in step with edits)."""

    comment = models.ForeignKey(
        Comment, verbose_name=_("comment"), on_delete=models.CASCADE, related_name="mentions"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("mentioned"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("written as"), max_length=150)  # the text after "@" that named them

    class Meta:
        verbose_name = _("mention")
        verbose_name_plural = _("mentions")
        constraints = [
            models.UniqueConstraint(fields=["comment", "user"], name="discussion_mention_comment_user_uniq")
        ]
        indexes = [models.Index(fields=["user", "comment"], name="discussion_mention_user")]
