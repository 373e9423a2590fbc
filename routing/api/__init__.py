"""The routing app's management API: serializers, views and URLs."""
