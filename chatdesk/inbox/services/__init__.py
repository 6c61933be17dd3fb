"""Every state change of the inbox, one function per use case (docs/architecture.md).

Split by sub-domain: receive (inbound), ownership (take, reply, transfer),
lifecycle (dealt with, archive, delete, end, block), contact_prompt, internal,
presence.
"""
