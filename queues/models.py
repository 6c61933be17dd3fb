"""Queues, their members, and the offers routing makes to agents."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models


class Strategy(models.TextChoices):
    RING_ALL = "ring_all", "Ring all (first to answer owns it)"
    HUNT_PRIORITIZED = "hunt_prioritized", "Hunt, by priority"
    HUNT_RANDOM = "hunt_random", "Hunt, random order"
    HUNT_BY_THREES_PRIORITIZED = "hunt_by_threes_prioritized", "Hunt by threes, by priority"
    HUNT_BY_THREES_RANDOM = "hunt_by_threes_random", "Hunt by threes, random order"
    ROUND_ROBIN = "round_robin", "Round robin"
    LEAST_BUSY = "least_busy", "Least busy"


class BusinessHours(models.Model):
    """When queues using this schedule are open: weekly windows in a time zone, less holidays.

    Windows are wall-clock times in `time_zone`, so a queue opens at 09:00 local time
    on both sides of a daylight-saving change (`queues/hours.py`).
    """

    name = models.CharField(max_length=100, unique=True)
    time_zone = models.CharField(
        max_length=64, default="UTC", help_text="An IANA time zone, e.g. Europe/Berlin."
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "business hours"
        verbose_name_plural = "business hours"

    def __str__(self) -> str:
        return f"{self.name} ({self.time_zone})"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class OpeningWindow(models.Model):
    """One open interval of a weekday, [start, end) local time; a day may have several.

    An `end` of 00:00 means midnight at the end of the day (shown as 24:00).
    """

    schedule = models.ForeignKey(BusinessHours, on_delete=models.CASCADE, related_name="windows")
    day = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start = models.TimeField()
    end = models.TimeField(help_text="Exclusive; 00:00 means the end of the day.")

    class Meta:
        ordering = ["schedule", "day", "start"]

    def __str__(self) -> str:
        return f"{self.get_day_display()} {self.start:%H:%M}-{self.end:%H:%M}"


class Holiday(models.Model):
    """A whole day (in the schedule's time zone) on which queues using it are closed."""

    schedule = models.ForeignKey(BusinessHours, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField()
    name = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["schedule", "date"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "date"], name="holiday_unique_date")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}".strip()


class Queue(models.Model):
    name = models.CharField(max_length=100, unique=True)
    strategy = models.CharField(max_length=40, choices=Strategy.choices, default=Strategy.RING_ALL)
    ring_timeout_seconds = models.PositiveIntegerField(
        default=30, validators=[MinValueValidator(5)]
    )
    max_chats_per_agent = models.PositiveIntegerField(default=5, validators=[MinValueValidator(1)])
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="QueueMember", related_name="chat_queues"
    )
    business_hours = models.ForeignKey(
        BusinessHours,
        null=True,
        blank=True,
        # Deleting a schedule in use would silently open its queues around the clock.
        on_delete=models.PROTECT,
        related_name="queues",
        help_text="Empty: always open.",
    )
    out_of_hours_message = models.TextField(
        blank=True,
        help_text="Sent once per closed period to a customer who writes while the queue is closed.",
    )
    # Absence handling, off when empty: a taken chat goes back to routing when its
    # customer has waited this long for the owner, or writes while the owner has been
    # offline this long.
    reassign_after_seconds = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(5)], help_text="Empty: off."
    )
    owner_offline_after_seconds = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(5)], help_text="Empty: off."
    )
    csat_enabled = models.BooleanField(
        default=False, help_text="Ask the customer for a 1-5 rating after Dealt with or End."
    )
    first_response_target_seconds = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)], help_text="Empty: no target."
    )
    resolution_target_seconds = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)], help_text="Empty: no target."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class QueueMember(models.Model):
    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="memberships")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="queue_memberships"
    )
    priority = models.PositiveIntegerField(default=1, help_text="1 is offered first.")
    # Round robin offers the member who was given a chat of this queue least recently.
    last_assigned_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["queue", "priority", "id"]
        constraints = [
            models.UniqueConstraint(fields=["queue", "agent"], name="queue_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agent} in {self.queue} (priority {self.priority})"


class Offer(models.Model):
    """One agent being offered one conversation in one routing round."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "Ringing"
        TAKEN = "taken", "Taken by this agent"
        LOST = "lost", "Taken by someone else"
        TIMED_OUT = "timed_out", "Not answered in time"
        WITHDRAWN = "withdrawn", "Withdrawn"

    # A string reference: queues sits below inbox in the layering and must not import it.
    conversation = models.ForeignKey(
        "inbox.Conversation", on_delete=models.CASCADE, related_name="offers"
    )
    queue = models.ForeignKey(Queue, null=True, on_delete=models.CASCADE, related_name="offers")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="offers"
    )
    round = models.PositiveIntegerField(default=1)
    offered_at = models.DateTimeField(auto_now_add=True)
    deadline = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(
        max_length=12, choices=Outcome.choices, default=Outcome.PENDING, db_index=True
    )

    class Meta:
        ordering = ["-offered_at", "id"]
        indexes = [models.Index(fields=["agent", "outcome"])]

    def __str__(self) -> str:
        return f"Offer of chat {self.conversation_id} to {self.agent} (round {self.round})"


class RoutingStart(models.Model):
    """The round at which a conversation's current routing began.

    Hunting skips the agents already offered the chat "in this routing": the
    offers from this round on. A chat routed anew (re-opened after dealt-with)
    starts a new hunt from the top, even when its earlier rounds left no trace.
    """

    conversation = models.OneToOneField(
        "inbox.Conversation",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="routing_start",
    )
    round = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"Routing of chat {self.conversation_id} since round {self.round}"
