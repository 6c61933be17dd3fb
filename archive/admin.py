"""Admin: the manager Reports page (read-only) and the archive's retention policy."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.http import urlencode

from archive.models import Report, RetentionPolicy
from archive.reports import ReportFilter, manager_report, report_csv
from chatdesk.inbox.models import Channel
from queues.models import Queue

REPORT_PERMISSION = "archive.view_reports"


class ReportForm(forms.Form):
    date_from = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    queue = forms.ModelChoiceField(Queue.objects.all(), required=False, empty_label="All queues")
    channel = forms.ChoiceField(
        choices=[("", "All channels")]
        + [(value, label) for value, label in Channel.choices if value != Channel.INTERNAL],
        required=False,
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError("The start date is after the end date.")
        return cleaned

    def to_filter(self) -> ReportFilter:
        data = self.cleaned_data
        return ReportFilter(
            date_from=data["date_from"],
            date_to=data["date_to"],
            queue_id=data["queue"].pk if data.get("queue") else None,
            channel=data.get("channel") or None,
        )


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """The Reports entry of admin: one read-only page and its CSV, no rows to edit."""

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.has_perm(REPORT_PERMISSION)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        # Only the report itself: the model has no table, so no list, add or change pages.
        name = f"{self.opts.app_label}_{self.opts.model_name}_changelist"
        return [path("", self.admin_site.admin_view(self.report_view), name=name)]

    def report_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        default = ReportFilter.last_days()
        data = {
            "date_from": default.date_from.isoformat(),
            "date_to": default.date_to.isoformat(),
            **request.GET.dict(),
        }
        form = ReportForm(data)
        report = manager_report(form.to_filter()) if form.is_valid() else None
        if report is not None and request.GET.get("format") == "csv":
            response = HttpResponse(report_csv(report), content_type="text/csv; charset=utf-8")
            name = f"chatdesk-report-{report.filters.date_from}-{report.filters.date_to}.csv"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Reports",
            "form": form,
            "report": report,
            "csv_query": urlencode({**data, "format": "csv"}),
        }
        return TemplateResponse(request, "admin/archive/report.html", context)


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(admin.ModelAdmin):
    """One row; without it the ARCHIVE_RETENTION_DAYS environment variable applies."""

    list_display = ("__str__", "keep_days", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not RetentionPolicy.objects.exists()
