"""The bench's URLconf: the product's routes, and the baselines' under /bench/."""

from django.urls import include, path

from chatdesk.urls import urlpatterns as product_urlpatterns

urlpatterns = [path("bench/", include("bench.baselines.urls")), *product_urlpatterns]
