from rest_framework.routers import SimpleRouter

from channels_ingest.api import ChannelAccountViewSet

router = SimpleRouter()
router.register("channel-accounts", ChannelAccountViewSet, basename="channel-account")
urlpatterns = router.urls
