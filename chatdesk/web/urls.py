from django.urls import path

from chatdesk.web import views

app_name = "web"
urlpatterns = [
    path("", views.inbox, name="inbox"),
]
