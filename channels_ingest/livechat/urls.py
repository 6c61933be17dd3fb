from django.urls import path

from channels_ingest.livechat import views

urlpatterns = [
    path("widget.js", views.widget_js, name="livechat-widget"),
    path("demo/", views.demo_page, name="livechat-demo"),
    # Without a signature: refused like a bad one (403), not a puzzling 404.
    path("files/<int:attachment_id>/<str:variant>/", views.visitor_file),
    path(
        "files/<int:attachment_id>/<str:variant>/<str:token>/",
        views.visitor_file,
        name="livechat-file",
    ),
]
