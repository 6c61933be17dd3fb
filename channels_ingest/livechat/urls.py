from django.urls import path

from channels_ingest.livechat import views

urlpatterns = [
    path("widget.js", views.widget_js, name="livechat-widget"),
    path("demo/", views.demo_page, name="livechat-demo"),
    path(
        "files/<int:attachment_id>/<str:variant>/<str:token>/",
        views.visitor_file,
        name="livechat-file",
    ),
]
