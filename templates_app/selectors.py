"""Reads of quick-response templates, with who-sees-what in one place."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from chatdesk.accounts.models import User
from templates_app.models import Category, QuickTemplate


def _visible_filter(user: User, prefix: str = "") -> Q | None:
    """Supervisors see all (None); agents see templates for every queue plus their queues'."""
    if user.is_supervisor:
        return None
    # The reverse accessor of queues.QueueMember: no import of the sibling app.
    own_queues = user.queue_memberships.values("queue_id")
    return Q(**{f"{prefix}queue__isnull": True}) | Q(**{f"{prefix}queue__in": own_queues})


def templates_for_user(
    *,
    user: User,
    search: str | None = None,
    category: str | None = None,
    language: str | None = None,
) -> QuerySet[QuickTemplate]:
    """Templates `user` may insert, most used first.

    `search`: every word must appear in the title or the body. `category`: a
    category name. `language`: a tag; "pt" also finds "pt-BR".
    """
    templates = QuickTemplate.objects.select_related("category")
    visible = _visible_filter(user)
    if visible is not None:
        templates = templates.filter(visible)
    for word in (search or "").split():
        templates = templates.filter(Q(title__icontains=word) | Q(body__icontains=word))
    if category:
        templates = templates.filter(category__name__iexact=category.strip())
    if language:
        tag = language.strip()
        templates = templates.filter(Q(language__iexact=tag) | Q(language__istartswith=f"{tag}-"))
    return templates.order_by("-usage_count", "title", "id")


def categories_for_user(*, user: User) -> QuerySet[Category]:
    """The picker's tabs: categories holding at least one template `user` sees."""
    visible = _visible_filter(user, prefix="templates__")
    return (
        Category.objects.annotate(template_count=Count("templates", filter=visible))
        .filter(template_count__gt=0)
        .order_by("position", "name")
    )
