from rest_framework.routers import SimpleRouter

from queues.api import QueueViewSet

router = SimpleRouter()
router.register("queues", QueueViewSet, basename="queue")
urlpatterns = router.urls
