"""Every app's REST endpoints under /api/v1/."""

from django.urls import include, path

from chatdesk.accounts import api as accounts_api

urlpatterns = [
    path("auth/token/", accounts_api.TokenView.as_view(), name="api-token"),
    path("me/settings/", accounts_api.MySettingsView.as_view(), name="my-settings"),
    path("", include("templates_app.urls")),
    path("", include("contacts.urls")),
    path("", include("queues.urls")),
    path("", include("channels_ingest.urls")),
    path("livechat/", include("channels_ingest.livechat.api_urls")),
    path("", include("chatdesk.inbox.urls")),
    path("", include("archive.urls")),
    path("", include("chatdesk.search.urls")),
    path("", include("chatdesk.webhooks.urls")),
]
