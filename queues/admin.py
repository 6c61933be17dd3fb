from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from queues import hours
from queues.models import BusinessHours, Holiday, Offer, OpeningWindow, Queue, QueueMember


class QueueMemberInline(admin.TabularInline):
    model = QueueMember
    extra = 1
    autocomplete_fields = ["agent"]
    ordering = ["priority"]
    # Set by routing when the member is given a chat; round robin reads it.
    readonly_fields = ["last_assigned_at"]


@admin.register(Queue)
class QueueAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "strategy",
        "ring_timeout_seconds",
        "max_chats_per_agent",
        "business_hours",
    )
    list_filter = ("strategy", "business_hours")
    search_fields = ("name",)
    inlines = [QueueMemberInline]


class BusinessHoursForm(forms.ModelForm):
    class Meta:
        model = BusinessHours
        fields = ["name", "time_zone"]

    def clean_time_zone(self) -> str:
        value = self.cleaned_data["time_zone"].strip()
        if not hours.valid_time_zone(value):
            raise ValidationError(
                f"Unknown time zone {value!r}; use an IANA name such as Europe/Berlin."
            )
        return value


class OpeningWindowFormSet(forms.BaseInlineFormSet):
    """The same checks as the API: each window ends after it starts, none overlap."""

    def clean(self) -> None:
        super().clean()
        windows = [
            (form.cleaned_data["day"], form.cleaned_data["start"], form.cleaned_data["end"])
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and all(form.cleaned_data.get(key) is not None for key in ("day", "start", "end"))
        ]
        problems = hours.window_problems(windows)
        if problems:
            raise ValidationError(problems)


class OpeningWindowInline(admin.TabularInline):
    model = OpeningWindow
    formset = OpeningWindowFormSet
    extra = 1
    verbose_name = "opening window"
    verbose_name_plural = "weekly opening windows (local time; end 00:00 = midnight)"


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 1
    verbose_name_plural = "holidays (closed all day)"


@admin.register(BusinessHours)
class BusinessHoursAdmin(admin.ModelAdmin):
    form = BusinessHoursForm
    list_display = ("name", "time_zone")
    search_fields = ("name",)
    inlines = [OpeningWindowInline, HolidayInline]


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ("conversation", "agent", "queue", "round", "offered_at", "outcome")
    list_filter = ("outcome", "queue")
    readonly_fields = [f.name for f in Offer._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
