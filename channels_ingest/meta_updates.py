"""WhatsApp webhook changes that are not customers' messages (docs/providers.md).

Meta posts them to the same URL: a template's review outcome, the business app's own
messages, calls, account and quality notices, users' marketing preferences, chat-history
syncs. Each is acknowledged (200) once a known app secret signs it; the desk acts on
template statuses and on the business app's messages, and logs the rest.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from channels_ingest.models import ChannelAccount
from channels_ingest.providers.meta import sub, text
from channels_ingest.providers.whatsapp import parse
from channels_ingest.providers.whatsapp.parse import AccountUpdate
from channels_ingest.whatsapp_templates import WhatsAppTemplate
from chatdesk.inbox.services.echoes import Echo, message_echo_record

logger = logging.getLogger(__name__)

# Meta's REINSTATED means "approved again": what matters to an agent is that it can go.
_STATUS_ALIASES = {"REINSTATED": "APPROVED"}
_STATUS_LENGTH = WhatsAppTemplate._meta.get_field("status").max_length


@transaction.atomic
def apply(*, accounts: Iterable[ChannelAccount], updates: Iterable[AccountUpdate]) -> None:
    """Act on verified changes; `accounts`: those whose app secret signed the body."""
    accounts = list(accounts)
    by_external_id = {account.external_id: account for account in accounts}
    for update in updates:
        if update.field == "message_template_status_update":
            template_status(accounts, update)
        elif update.field == "smb_message_echoes":
            account = by_external_id.get(update.account_external_id)
            if account is None:
                logger.info("Echoes for number %s: no such account", update.account_external_id)
                continue
            for echo in parse.echoes(update):
                message_echo_record(
                    echo=Echo(
                        channel=account.kind,
                        channel_account_id=account.pk,
                        route_queue_id=account.route_queue_id,
                        route_agent_id=account.route_agent_id,
                        customer_address=echo.sender_address,
                        body=echo.body,
                        provider_message_id=echo.provider_message_id,
                        sent_at=echo.sent_at,
                    )
                )
        else:
            logger.info(
                "WhatsApp %s for business account %s%s: %s",
                update.field,
                update.business_account_id or "?",
                f" (number {update.account_external_id})" if update.account_external_id else "",
                _summary(update.value),
            )


def template_status(accounts: list[ChannelAccount], update: AccountUpdate) -> int:
    """Move the named template's status (per account signing it); returns rows changed."""
    value = update.value
    name = text(value, "message_template_name")
    language = text(value, "message_template_language")
    event = text(value, "event").upper()
    if not name or not event:
        logger.info("Template status update without a name or event: %s", _summary(value))
        return 0
    status = _STATUS_ALIASES.get(event, event)[:_STATUS_LENGTH]
    reason = text(value, "reason")
    rejection = text(sub(value, "rejection_info"), "reason")
    detail = rejection or ("" if reason.upper() in ("", "NONE") else reason)
    candidates = WhatsAppTemplate.objects.filter(
        account__in=[a for a in accounts if a.kind == ChannelAccount.Kind.WHATSAPP], name=name
    )
    # Meta writes a language as en_US in templates and sometimes en-US in these webhooks.
    wanted = language.replace("-", "_").lower()
    matched = [
        template.pk
        for template in candidates
        if not wanted or template.language.replace("-", "_").lower() == wanted
    ]
    changed = WhatsAppTemplate.objects.filter(pk__in=matched).update(
        status=status, status_reason=detail[:200], status_changed_at=timezone.now()
    )
    logger.info("Template %s (%s) is now %s: %s row(s)", name, language, status, changed)
    return changed


def _summary(value: dict) -> str:
    """A short, content-free line for the log: which keys the change carried."""
    return ", ".join(sorted(str(key) for key in value)) or "(empty)"
