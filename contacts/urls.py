"""Contacts' REST routes, included under /api/v1/ by chatdesk.api_urls."""

from rest_framework.routers import SimpleRouter

from contacts.api import ContactViewSet

router = SimpleRouter()
router.register("contacts", ContactViewSet, basename="contact")

urlpatterns = router.urls
