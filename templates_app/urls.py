from rest_framework.routers import SimpleRouter

from templates_app.api import TemplateViewSet

# SimpleRouter: no API root view, which would claim /api/v1/ for this app alone.
router = SimpleRouter()
router.register("templates", TemplateViewSet, basename="template")

urlpatterns = router.urls
