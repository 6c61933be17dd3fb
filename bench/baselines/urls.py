"""Mounted under /bench/ by the bench's own URLconf (bench/urls.py), never in production."""

from django.urls import path

from bench.baselines import views

urlpatterns = [
    path("ingest/", views.ingest),
    path("fanout/", views.fanout),
    path("take/<int:row_id>/", views.take),
]
