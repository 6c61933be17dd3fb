from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from channels_ingest import signed_media
from chatdesk import health
from chatdesk.accounts.login import ThrottledLoginView

# The admin is part of the product: it says so in its header, tab title and index page.
admin.site.site_header = "Chatdesk administration"
admin.site.site_title = "Chatdesk admin"
admin.site.index_title = "Chatdesk settings"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("healthz/", health.healthz),
    path("readyz", health.readyz, name="readyz"),
    path("readyz/", health.readyz),
    path("login/", ThrottledLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("chatdesk.api_urls")),
    path("livechat/", include("channels_ingest.livechat.urls")),
    path("webhooks/", include("channels_ingest.webhook_urls")),
    path("media/signed/<str:token>/", signed_media.serve, name="signed-media"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its init script as a file: the CSP allows no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("", include("chatdesk.web.urls")),
]
