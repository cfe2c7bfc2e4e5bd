"""The cockpit's pages."""

urlpatterns: list = []
