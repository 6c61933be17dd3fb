"""Mounted under /bench/ by chatdesk/urls.py only when CHATDESK_BENCH_BASELINES=1."""

from django.urls import path

from bench.baselines import views

urlpatterns = [
    path("ingest/", views.ingest),
    path("fanout/", views.fanout),
    path("take/<int:row_id>/", views.take),
]
