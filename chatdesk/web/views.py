"""The agent web app's pages: a server-rendered shell the ES modules bring to life."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from chatdesk.accounts.models import AgentSettings, User
from chatdesk.accounts.services import agent_settings_get
from chatdesk.inbox.models import Channel, Label
from chatdesk.inbox.serializers import conversation_title
from chatdesk.web.rows import row_data, row_filters, row_queryset
from queues.models import Queue
from queues.selectors import agent_queues
from templates_app.selectors import templates_for_user

CHANNEL_CHOICES = [(c.value, c.label) for c in Channel if c != Channel.INTERNAL]


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    filters = row_filters(request.GET)
    rows = list(row_queryset(request.user, **filters))
    for conversation in rows:
        # The same title the API gives (a live-chat visitor is never shown by their id).
        conversation.row_title = conversation_title(conversation)
    context = {
        "rows": rows,
        "filters": filters,
        "channels": CHANNEL_CHOICES,
        "queues": _queues_for(request.user),
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
