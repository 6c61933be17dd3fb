"""The agent web app's pages: a server-rendered shell the ES modules bring to life."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from chatdesk.accounts.models import AgentSettings, User
from chatdesk.accounts.selectors import takes_chats
from chatdesk.accounts.services import agent_settings_get
from chatdesk.inbox.list_views import view_counts
from chatdesk.inbox.models import Channel, Label
from chatdesk.inbox.serializers import conversation_title
from chatdesk.web.rows import row_data, row_filters, row_queryset, row_sla
from queues.models import Queue
from queues.selectors import agent_queues
from templates_app.selectors import templates_for_user

# The list's views: Mine and Unassigned narrow Recents; All ("") is Recents itself.
VIEW_TABS = [("mine", "Mine"), ("unassigned", "Unassigned"), ("", "All")]
# Who sees every agent's figures (archive.summary asks the same permission); a string,
# as in accounts/roles.py, because the web app sits beside archive, not above it.
SEES_EVERY_REPORT = "archive.view_reports"
CHANNEL_CHOICES = [(c.value, c.label) for c in Channel if c != Channel.INTERNAL]


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    filters = row_filters(request.GET)
    rows = list(row_queryset(request.user, **filters))
    for conversation in rows:
        # The same title the API gives (a live-chat visitor is never shown by their id).
        conversation.row_title = conversation_title(conversation)
        conversation.row_sla = row_sla(conversation)
    context = {
        "rows": rows,
        "filters": filters,
        "channels": CHANNEL_CHOICES,
        "queues": _queues_for(request.user),
        "view_tabs": VIEW_TABS,
        "labels": list(Label.objects.order_by("name", "id")),
        "bootstrap": _bootstrap(request.user),
    }
    return render(request, "web/inbox.html", context)


@login_required
@require_GET
def inbox_rows(request: HttpRequest) -> JsonResponse:
    """`GET /inbox/rows/?view=&channel=&queue=`: the list as the page's script renders it."""
    rows = row_queryset(request.user, **row_filters(request.GET))
    return JsonResponse({"results": [row_data(row) for row in rows]})


def _queues_for(user: User) -> list[Queue]:
    if user.is_supervisor:
        return list(Queue.objects.order_by("name"))
    return sorted(agent_queues(agent_id=user.pk), key=lambda queue: queue.name)


def _bootstrap(user: User) -> dict:
    """What the scripts need before their first request (rendered with json_script)."""
    settings = agent_settings_get(user=user)
    languages = (
        templates_for_user(user=user, search=None, category=None, language=None)
        .order_by("language")
        .values_list("language", flat=True)
        .distinct()
    )
    return {
        "me": {
            "id": user.pk,
            "name": user.get_full_name() or user.username,
            "extension": user.extension or "",
            "status": user.status,
            "supervisor": user.is_supervisor,
        },
        "counts": view_counts(user),
        "settings": {
            "show_toaster": settings.show_toaster,
            "web_notifications": settings.web_notifications,
            "play_sound": settings.play_sound,
            "sound": settings.sound,
        },
        "sounds": [{"value": v, "label": label} for v, label in AgentSettings.Sound.choices],
        "languages": sorted(set(languages)),
        "labels": [
            {"id": label.pk, "name": label.name, "color": label.color}
            for label in Label.objects.order_by("name", "id")
        ],
    }


@login_required
@require_GET
def reports(request: HttpRequest) -> HttpResponse:
    """The Reports page: its script draws the figures of `GET /api/v1/reports/summary/`
    (which also says the default range and refuses what it cannot answer)."""
    user = request.user
    sees_everyone = user.has_perm(SEES_EVERY_REPORT)
    agents = (
        [
            {"id": agent.pk, "name": agent.get_full_name() or agent.username}
            for agent in User.objects.filter(takes_chats(), is_active=True).order_by(
                "first_name", "last_name", "username"
            )
        ]
        if sees_everyone
        else []
    )
    context = {
        "channels": CHANNEL_CHOICES,
        "queues": list(Queue.objects.order_by("name")) if sees_everyone else _queues_for(user),
        "agents": agents,
        "labels": list(Label.objects.order_by("name", "id")),
        "sees_everyone": sees_everyone,
        "bootstrap": {
            "me": {"id": user.pk, "name": user.get_full_name() or user.username},
            "sees_everyone": sees_everyone,
        },
    }
    return render(request, "web/reports.html", context)


@login_required
@require_GET
def monitor(request: HttpRequest) -> HttpResponse:
    """The live monitor for supervisors; its figures arrive on the agent socket."""
    if not request.user.is_supervisor:
        raise PermissionDenied("The live monitor is for managers and owners.")
    return render(request, "web/monitor.html", {"bootstrap": _bootstrap(request.user)})
