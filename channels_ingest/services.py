"""From a provider's parsed webhook to stored messages and statuses (docs/architecture.md)."""

from __future__ import annotations

import time
from collections.abc import Iterable

from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from channels_ingest.models import ChannelAccount
from channels_ingest.providers.base import (
    InboundMessage,
    Payload,
    ProviderAdapter,
    StatusUpdate,
    WebhookRequest,
)
from channels_ingest.reply_windows import window_for
from channels_ingest.tasks import download_media
from chatdesk.inbox.services import delivery
from chatdesk.inbox.services.receive import Inbound, message_receive, message_status_update

# Every webhook looks its accounts up, and they change a few times a year: a process keeps
# what it read for a few seconds (the query was a measurable part of a follow-up
# webhook's work, docs/performance.md). A change made in this process clears it at once,
# and again at commit; other processes' changes may not be seen for ACCOUNT_CACHE_SECONDS,
# so the cache is trusted only when it leads to a stored webhook. One it cannot verify, or
# whose store fails on a row deleted meanwhile (the account, or the queue it routes to), is
# tried again with the accounts as the database has them (webhook_receive): a rotated
# secret or a re-created account never costs a refusal (Twilio does not retry an SMS webhook).
ACCOUNT_CACHE_SECONDS = 5.0
_accounts: dict[tuple[str, str], tuple[float, ChannelAccount | None]] = {}


def accounts_for(
    kind: str, external_ids: Iterable[str], *, fresh: bool = False
) -> list[ChannelAccount]:
    """The active accounts of `kind` with these external ids (cached per process;
    `fresh` reads them from the database, and caches what it read)."""
    wanted = set(external_ids)
    now = time.monotonic()
    found: dict[str, ChannelAccount | None] = {}
    for external_id in () if fresh else wanted:
        hit = _accounts.get((kind, external_id))
        if hit is not None and now - hit[0] < ACCOUNT_CACHE_SECONDS:
            found[external_id] = hit[1]
    missing = wanted - found.keys()
    if missing:
        read = {
            account.external_id: account
            for account in ChannelAccount.objects.filter(
                kind=kind, external_id__in=missing, active=True
            )
        }
        for external_id in missing:
            found[external_id] = read.get(external_id)
            _accounts[(kind, external_id)] = (now, found[external_id])
    return [account for account in found.values() if account is not None]


def forget_accounts() -> None:
    """Drop this process's cached accounts (on any change to one)."""
    _accounts.clear()


@receiver(post_save, sender=ChannelAccount)
@receiver(post_delete, sender=ChannelAccount)
def _account_changed(**_kwargs: object) -> None:
    forget_accounts()
    # Again after commit: a request between the save and the commit re-read the old row.
    transaction.on_commit(forget_accounts)


def webhook_receive(
    *, adapter: ProviderAdapter, incoming: WebhookRequest, payload: Payload
) -> bool:
    """Store a webhook for the accounts it addresses whose credentials sign it.

    False, with nothing stored, when no account's secret verifies it. The payload is
    parsed for storage only once verified. Not itself atomic: a store that fails on a
    row deleted meanwhile is rolled back and tried once more with fresh accounts.
    """
    external_ids = adapter.candidate_account_ids(payload)

    def verified(*, fresh: bool) -> list[ChannelAccount]:
        candidates = accounts_for(adapter.kind, external_ids, fresh=fresh)
        return [a for a in candidates if adapter.verify(incoming, payload, a.credentials)]

    accounts = verified(fresh=False) or verified(fresh=True)
    updates = adapter.account_updates(payload)
    # Account-level changes (a template's status, a call, the business app's messages)
    # may name no number we know: any account's app secret that signs them vouches.
    signers = app_signers(adapter, incoming, payload) if updates else []
    if not accounts and not signers:
        return False
    if updates:
        from channels_ingest import meta_updates

        meta_updates.apply(accounts=signers, updates=updates)
    if not accounts:
        return True
    messages, statuses = adapter.parse(payload)
    try:
        webhook_ingest(accounts=accounts, messages=messages, statuses=statuses)
    except (IntegrityError, ObjectDoesNotExist):
        # A cached account (or the queue or agent it routes to) deleted in another
        # process: the old row's id fails a foreign key at commit, or its queue is gone.
        accounts = verified(fresh=True)
        if not accounts:
            return False
        webhook_ingest(accounts=accounts, messages=messages, statuses=statuses)
    return True


def app_signers(
    adapter: ProviderAdapter, incoming: WebhookRequest, payload: Payload
) -> list[ChannelAccount]:
    """The active accounts of the adapter's kind whose secret signs the request; each
    distinct secret is tried once (one Meta app usually serves several numbers)."""
    accounts = list(ChannelAccount.objects.filter(kind=adapter.kind, active=True))
    signs: dict[str, bool] = {}
    for account in accounts:
        secret = str(account.credentials.get(adapter.secret_credential, ""))
        if secret not in signs:
            signs[secret] = bool(secret) and adapter.verify(incoming, payload, account.credentials)
    return [
        account
        for account in accounts
        if signs[str(account.credentials.get(adapter.secret_credential, ""))]
    ]


def handshake_tokens(*, kind: str, credential: str) -> list[str]:
    """The non-empty `credential` of every active account of `kind` (none when "")."""
    if not credential:
        return []
    accounts = ChannelAccount.objects.filter(kind=kind, active=True)
    return [token for account in accounts if (token := account.credentials.get(credential))]


@transaction.atomic
def webhook_ingest(
    *,
    accounts: list[ChannelAccount],
    messages: list[InboundMessage],
    statuses: list[StatusUpdate],
) -> int:
    """Store what a verified webhook carried, in one transaction. Returns messages stored.

    Entries addressed to an account we have no (verified) account for are
    skipped (docs/api.md: Provider webhooks).
    """
    by_external_id = {account.external_id: account for account in accounts}
    stored = 0
    for inbound in messages:
        account = by_external_id.get(inbound.account_external_id)
        if account is not None and _store_message(account, inbound):
            stored += 1
    for status in statuses:
        account = by_external_id.get(status.account_external_id)
        if account is not None:
            _store_status(account, status)
    return stored


def _store_message(account: ChannelAccount, inbound: InboundMessage) -> bool:
    message, created = message_receive(
        inbound=Inbound.to_account(
            account,
            sender_address=inbound.sender_address,
            sender_name=inbound.sender_name,
            body=inbound.body,
            provider_message_id=inbound.provider_message_id,
            sent_at=inbound.sent_at,
            reply_window=window_for(account),
        )
    )
    # Also on a redelivery of a message stored without its files: when Redis was down,
    # the download could not be enqueued, the webhook answered 500 after its commit,
    # and the provider's retry is the only reminder left (tests/reliability).
    if inbound.attachments and (created or not message.attachments.exists()):
        for index, attachment in enumerate(inbound.attachments):
            transaction.on_commit(
                lambda m=message.pk, i=index, a=attachment: download_media.delay(
                    m, account.pk, a.media_ref, a.content_type, a.filename, a.sha256, i
                )
            )
    return created


def _store_status(account: ChannelAccount, status: StatusUpdate) -> None:
    error = " ".join(part for part in (status.error_code, status.error_message) if part)
    if status.provider_message_id:
        message_status_update(
            channel_account_id=account.pk,
            provider_message_id=status.provider_message_id,
            status=status.status,
            error=error,
        )
    elif status.watermark is not None and status.recipient:
        # Messenger delivery/read without mids: everything up to the watermark.
        delivery.message_status_watermark(
            channel_account_id=account.pk,
            customer_address=status.recipient,
            status=status.status,
            up_to=status.watermark,
        )
