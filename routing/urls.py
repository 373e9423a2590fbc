"""Webhook URLs of the routing app."""

urlpatterns = []
