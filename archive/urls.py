from django.urls import path

from archive.api import ArchiveListView
from archive.api_reports import ReportSummaryView

urlpatterns = [
    path("archive/", ArchiveListView.as_view(), name="archive"),
    path("reports/summary/", ReportSummaryView.as_view(), name="reports-summary"),
]
