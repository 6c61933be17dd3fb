"""Every app's REST endpoints under /api/v1/."""

from django.urls import path

from chatdesk.accounts import api as accounts_api

urlpatterns = [
    path("auth/token/", accounts_api.TokenView.as_view(), name="api-token"),
    path("me/settings/", accounts_api.MySettingsView.as_view(), name="my-settings"),
]
