"""Webhook URLs of the calls app."""

urlpatterns = []
