"""The conversation domain: conversations, their messages, files and history."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q


class Channel(models.TextChoices):
    LIVECHAT = "livechat", "Live chat"
    WHATSAPP = "whatsapp", "WhatsApp"
    MESSENGER = "messenger", "Facebook Messenger"
    SMS = "sms", "SMS/MMS"
    INTERNAL = "internal", "Internal"


class Status(models.TextChoices):
    UNASSIGNED = "unassigned", "Unassigned"
    TAKEN = "taken", "Taken"
    DEALT_WITH = "dealt_with", "Dealt with"
    ENDED = "ended", "Ended"


OPEN_STATUSES = (Status.UNASSIGNED, Status.TAKEN)


class Conversation(models.Model):
    channel = models.CharField(max_length=20, choices=Channel.choices, db_index=True)
    # String references: channels_ingest sits above inbox and is never imported here.
    channel_account = models.ForeignKey(
        "channels_ingest.ChannelAccount",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="conversations",
    )
    identity = models.ForeignKey(
        "contacts.Identity",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="conversations",
    )
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.UNASSIGNED, db_index=True
    )
    queue = models.ForeignKey(
        "queues.Queue", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    direct_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="direct_conversations",
        help_text="Routed to this agent's extension rather than to a queue.",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_conversations",
    )
    # Internal chats: the two agents talking.
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="internal_conversations"
    )
    routing_round = models.PositiveIntegerField(default=0)
    archived = models.BooleanField(default=False, db_index=True)
    blocked = models.BooleanField(default=False)
    visitor_ip = models.GenericIPAddressField(
        null=True, blank=True, help_text="Live chat: the address the visitor wrote from."
    )
    # Live chat: who the visitor is and where they are ({name, email, page_url,
    # page_title, referrer, user_agent}); kept current as they move between pages.
    visitor = models.JSONField(null=True, blank=True)
    contact_prompt_open = models.BooleanField(
        default=False, help_text="Unknown sender: Add contact / Reply / Ignore not yet chosen."
    )
    offline = models.BooleanField(
        default=False, help_text="Left through the live-chat widget's offline form."
    )
    # Set while the chat waits for its closed queue to open (routing offers it to
    # nobody until then); the opening sweep routes it and clears this.
    held_until = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_message_at = models.DateTimeField(null=True, blank=True, db_index=True)
    taken_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The customer's first message since the owner's last reply (NULL: nobody waits);
    # absence handling and the first-response clock start here.
    customer_waiting_since = models.DateTimeField(null=True, blank=True, db_index=True)
    # WhatsApp and Messenger: when free text stops being allowed (the provider's
    # timestamp of the customer's last message plus the channel's window).
    reply_window_closes_at = models.DateTimeField(null=True, blank=True)
    # Service-level targets of the queue, counted from the customer's first message.
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    sla_breached = models.BooleanField(default=False)
    # Satisfaction: asked once after Dealt with or End, answered at most once.
    csat_requested_at = models.DateTimeField(null=True, blank=True)
    csat_rating = models.PositiveSmallIntegerField(null=True, blank=True)
    csat_comment = models.TextField(blank=True)
    csat_at = models.DateTimeField(null=True, blank=True)
    # Labels agents put on a chat to sort and find it (docs/api.md: Labels).
    labels = models.ManyToManyField("inbox.Label", blank=True, related_name="conversations")

    class Meta:
        ordering = ["-last_message_at", "-id"]
        constraints = [
            # At most one open conversation per identity and account, enforced by the
            # database so that concurrent webhooks cannot open two (docs/api.md).
            models.UniqueConstraint(
                fields=["identity", "channel_account"],
                condition=Q(status__in=["unassigned", "taken"]),
                name="one_open_conversation_per_identity",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_channel_display()} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class ParticipantState(models.Model):
    """One participant's own view of an internal chat: archived, or deleted, for them alone.

    An internal chat belongs to both agents, so archiving or deleting it is a choice each
    makes for themselves; the colleague keeps it as it was. No row: open, nothing cleared.
    """

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="participant_states"
    )
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    archived = models.BooleanField(default=False)
    deleted = models.BooleanField(default=False)
    # Deleting clears the history for this agent: messages up to here stay hidden from
    # them if the chat comes back (a colleague writes again).
    cleared_through = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "agent"], name="participant_state_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agent_id} on #{self.conversation_id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    READ = "read", "Read"
    FAILED = "failed", "Failed"


class Message(models.Model):
    class Direction(models.TextChoices):
        IN = "in", "From the customer"
        OUT = "out", "From an agent"

    class Kind(models.TextChoices):
        MESSAGE = "message", "Message"
        # What the system told the customer (a live chat ended or blocked): the visitor
        # sees the body, agents see an event line, not a reply someone typed.
        NOTICE = "notice", "Notice to the customer"
        # A line of the conversation's story for agents only (taken, transferred,
        # reopened): never sent to the customer.
        EVENT = "event", "Event"
        # A private note between agents: never sent to the customer in any form.
        NOTE = "note", "Private note"

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    direction = models.CharField(max_length=3, choices=Direction.choices)
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sent_messages",
    )
    body = models.TextField(blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.MESSAGE)
    # Notices and events: {"type": "ended" | "blocked" | "taken" | "transferred" |
    # "reopened", "actor": id, "actor_name": ..., "to": id, "to_name": ...}.
    event = models.JSONField(null=True, blank=True)
    # Inbound files whose download failed for good: what a retry needs to fetch them
    # again ({index, account, ref, content_type, name, sha256, error, retrying}).
    missing_files = models.JSONField(default=list, blank=True)
    channel_account = models.ForeignKey(
        "channels_ingest.ChannelAccount",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # NULL, not "", for our own unsent replies: the unique constraint skips NULLs.
    provider_message_id = models.CharField(max_length=255, null=True, blank=True)  # noqa: DJ001
    client_id = models.UUIDField(null=True, blank=True)
    delivery_status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    delivery_error = models.TextField(blank=True)
    delivery_attempts = models.PositiveIntegerField(default=0)
    # Set while a worker is sending: a second worker (the outbox sweep) keeps off it.
    delivery_claimed_at = models.DateTimeField(null=True, blank=True)
    # The outbox: when this reply may next go out (its first send, its retry after a
    # backoff, its slot in the sender's limit). NULL once there is nothing left to send.
    delivery_due_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # A WhatsApp template reply: what the outbox sends instead of the body (which holds
    # the rendered text): {"id", "name", "language", "parameters": [text, ...]}.
    template = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # The same provider message delivered twice is stored once.
            models.UniqueConstraint(
                fields=["channel_account", "provider_message_id"],
                condition=Q(provider_message_id__isnull=False),
                name="message_unique_provider_id",
            ),
            # A client's retry of the same reply is the same message.
            models.UniqueConstraint(
                fields=["sender", "client_id"],
                condition=Q(client_id__isnull=False),
                name="message_unique_client_id",
            ),
        ]
        indexes = [
            # The outbox: a sender's due replies, and the sweep's; only rows waiting to go.
            models.Index(
                fields=["channel_account", "delivery_due_at"],
                condition=Q(delivery_due_at__isnull=False),
                name="message_outbox_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()}: {self.body[:40]}"


class Attachment(models.Model):
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file = models.FileField(upload_to="attachments/%Y/%m/")
    thumbnail = models.ImageField(upload_to="thumbnails/%Y/%m/", null=True, blank=True)
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    # Inbound media: the provider's id or URL, so a retried download stores it once.
    provider_media_ref = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class ConversationEvent(models.Model):
    """Append-only log of who did what to a conversation, and when."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="history")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=40)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} on #{self.conversation_id}"


class Event(models.Model):
    """A realtime event, stored in the same transaction as the change it reports.

    The websocket fan-out happens after commit; a client that reconnects reads
    what it missed from here (`GET /api/v1/events/?after=<id>`), so a dropped
    socket or a Redis outage loses nothing.
    """

    type = models.CharField(max_length=40)
    conversation = models.ForeignKey(
        Conversation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(default=dict)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.type} #{self.pk}"


class EventRecipient(models.Model):
    """Which agent may see which event: the replay endpoint filters on this.

    No foreign-key constraints in the database, on purpose. A chat ringing a 50-member
    queue writes 50+ of these rows per event, and PostgreSQL checks each row's keys
    at commit by locking the user and event rows they point at (FOR KEY SHARE, a WAL
    record per locked user row, shared multixacts when webhooks run at once), a large
    part of the INSERT's server CPU (docs/performance.md). The rows are written only
    by `events._store_recipients`, for an event of the same transaction and ids read
    from the users table, and deleting an event or a user still deletes them: Django
    cascades in Python, not through the constraint.
    """

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="recipients", db_constraint=False
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agent", "event"], name="event_recipient_unique")
        ]

    def __str__(self) -> str:
        return f"{self.event} -> {self.agent_id}"


class AgentConnection(models.Model):
    """An agent's open inbox sockets, counted by the agent consumer, and what presence
    does when the last one has been closed for PRESENCE_GRACE_SECONDS."""

    agent = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    open_sockets = models.IntegerField(default=0)
    # Set when the last socket closed while the agent was available; cleared when a
    # socket opens or the agent sets a status (an API-only agent never has one).
    all_closed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # The status the grace period took away ("" when it took none): a socket
    # opening again gives it back.
    status_before_away = models.CharField(max_length=10, blank=True)

    def __str__(self) -> str:
        return f"{self.agent_id}: {self.open_sockets} sockets"


class ReadMarker(models.Model):
    """How far an agent has read a conversation; unread counts start after it."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read_message_id = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "agent"], name="read_marker_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agent_id} read #{self.conversation_id} to {self.last_read_message_id}"


class VisitorBlock(models.Model):
    """A live-chat visitor (and their IP address) barred from starting sessions."""

    identity = models.ForeignKey(
        "contacts.Identity", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    reason = models.CharField(max_length=500, blank=True)
    blocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty: for good.")

    def __str__(self) -> str:
        return f"Block of {self.identity or self.ip_address}"


class EventWindow(models.Model):
    """The replay window's start: events up to `purged_through` are gone (410 on replay)."""

    purged_through = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"Events purged through #{self.purged_through}"


class Mention(models.Model):
    """A colleague named with @username in a private note.

    While open (`ended_at` empty) the colleague may read the chat, not act on it: it
    appears in their list and its events reach them. It ends when the chat is dealt
    with (or ended), so the access lasts as long as the question can matter.
    """

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="mentions"
    )
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="mentions")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "agent"], name="mention_unique_per_note")
        ]
        indexes = [
            # Visibility asks "open mentions of this agent" and the audience "open
            # mentions of this chat"; only open ones are ever read.
            models.Index(
                fields=["agent", "conversation"],
                condition=Q(ended_at__isnull=True),
                name="mention_open_by_agent",
            ),
            models.Index(
                fields=["conversation"],
                condition=Q(ended_at__isnull=True),
                name="mention_open_by_chat",
            ),
        ]

    def __str__(self) -> str:
        return f"@{self.agent_id} on #{self.conversation_id}"


class Label(models.Model):
    """A named colour agents put on chats ("VIP", "Refund"); supervisors keep the list."""

    name = models.CharField(max_length=50, unique=True)
    color = models.CharField(
        max_length=7,
        default="#6e7781",
        validators=[
            RegexValidator(r"^#[0-9a-fA-F]{6}$", "A colour is written #rrggbb, e.g. #1f6feb.")
        ],
    )

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name
