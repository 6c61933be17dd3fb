from rest_framework.routers import SimpleRouter

from queues.api import QueueViewSet
from queues.api_hours import BusinessHoursViewSet

router = SimpleRouter()
router.register("queues", QueueViewSet, basename="queue")
router.register("business-hours", BusinessHoursViewSet, basename="business-hours")
urlpatterns = router.urls
