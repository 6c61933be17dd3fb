"""The agent web app's pages (server-rendered shell)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from chatdesk.inbox.selectors import inbox_rows


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    archived = request.GET.get("view") == "archived"
    rows = inbox_rows(request.user, archived=archived)[:200]
    return render(request, "web/inbox.html", {"conversations": rows, "archived": archived})
