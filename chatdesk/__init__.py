"""Chatdesk: an omnichannel customer-chat desk."""

from chatdesk.celery import app as celery_app

__all__ = ["celery_app"]
