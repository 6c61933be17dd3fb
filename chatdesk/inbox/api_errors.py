"""Domain errors -> HTTP, once, for every DRF view (docs/architecture.md: Apps and layers)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from chatdesk.inbox.errors import DomainError


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DomainError):
        return Response({"detail": exc.detail, "code": exc.code}, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        # Services of lower apps (contacts) validate with Django's error: field errors.
        if hasattr(exc, "error_dict"):
            return Response(exc.message_dict, status=400)
        return Response({"detail": " ".join(exc.messages)}, status=400)
    if isinstance(exc, ProtectedError | RestrictedError):
        # Deleting a queue or channel account that chats still point at: a conflict
        # the caller can resolve (deactivate it instead), not a server error.
        return Response(
            {
                "detail": "It is still in use and cannot be deleted; deactivate it instead.",
                "code": "in_use",
            },
            status=409,
        )
    return drf_exception_handler(exc, context)
