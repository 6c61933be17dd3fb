from django.urls import path

from chatdesk.web import views

app_name = "web"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("inbox/rows/", views.inbox_rows, name="inbox-rows"),
    path("reports/", views.reports, name="reports"),
    path("monitor/", views.monitor, name="monitor"),
]
