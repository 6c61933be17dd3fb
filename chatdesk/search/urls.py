from django.urls import path

from chatdesk.search.api import SearchView

urlpatterns = [path("search/", SearchView.as_view(), name="search")]
