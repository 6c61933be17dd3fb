from django.urls import path

from archive.api import ArchiveListView

urlpatterns = [path("archive/", ArchiveListView.as_view(), name="archive")]
