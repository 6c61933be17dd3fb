"""Templates in Django admin: list, filters, search, and CSV import and export.

Who may do what comes from the role groups (chatdesk.accounts.roles): agents
have no admin at all; supervisors add, change and delete templates.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from templates_app import services
from templates_app.csv_io import CsvImportError, parse_csv, templates_to_csv
from templates_app.models import Category, QuickTemplate

MAX_CSV_BYTES = 5 * 1024 * 1024
IMPORT_TEMPLATE = "admin/templates_app/quicktemplate/import_csv.html"


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "position", "template_count")
    list_editable = ("position",)
    search_fields = ("name",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Category]:
        return super().get_queryset(request).annotate(template_count=Count("templates"))

    @admin.display(description="templates", ordering="template_count")
    def template_count(self, category: Category) -> int:
        return category.template_count


class CsvImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Columns: title, body, category, language, queue, shortcut. UTF-8. "
        "Rows update the template with the same title, language and queue.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CSV_BYTES:
            raise forms.ValidationError("The file is larger than 5 MB.")
        return upload


@admin.register(QuickTemplate)
class QuickTemplateAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "shortcut",
        "category",
        "language",
        "queue",
        "usage_count",
        "updated_at",
    )
    list_filter = ("category", "language", "queue")
    search_fields = ("title", "body", "shortcut")
    list_select_related = ("category", "queue")
    readonly_fields = ("usage_count", "created_by", "created_at", "updated_at")
    actions = ["export_csv"]

    def save_model(self, request: HttpRequest, obj: QuickTemplate, form, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        extra_context = {**(extra_context or {}), "can_import_csv": self._can_import(request)}
        return super().changelist_view(request, extra_context)

    def _can_import(self, request: HttpRequest) -> bool:
        # An import both adds and updates templates.
        return self.has_add_permission(request) and self.has_change_permission(request)

    def get_urls(self) -> list[URLPattern]:
        extra = [
            path(
                "import-csv/",
                self.admin_site.admin_view(self.import_csv_view),
                name="templates_app_quicktemplate_import_csv",
            ),
            path(
                "export-csv/",
                self.admin_site.admin_view(self.export_csv_view),
                name="templates_app_quicktemplate_export_csv",
            ),
        ]
        return extra + super().get_urls()

    @admin.action(description="Export selected templates as CSV", permissions=["view"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet[QuickTemplate]) -> HttpResponse:
        return _csv_response(queryset)

    def export_csv_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return _csv_response(self.get_queryset(request))

    def import_csv_view(self, request: HttpRequest) -> HttpResponse:
        if not self._can_import(request):
            raise PermissionDenied
        form = CsvImportForm(request.POST or None, request.FILES or None)
        errors: list[str] = []
        if request.method == "POST" and form.is_valid():
            try:
                rows = parse_csv(form.cleaned_data["file"].read())
                result = services.templates_import(rows=rows, created_by=request.user)
            except CsvImportError as error:
                errors = error.errors
            else:
                self.message_user(
                    request,
                    f"Imported {result.created} new and updated {result.updated} templates.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:templates_app_quicktemplate_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Import templates from CSV",
            "opts": self.model._meta,
            "form": form,
            "import_errors": errors,
        }
        return TemplateResponse(
            request, "admin/templates_app/quicktemplate/import_csv.html", context
        )


def _csv_response(templates: QuerySet[QuickTemplate]) -> HttpResponse:
    ordered = templates.select_related("category", "queue").order_by("title", "language", "id")
    response = HttpResponse(templates_to_csv(ordered), content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="templates-{stamp}.csv"'
    return response
