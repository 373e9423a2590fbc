"""The calls app's management API: serializers, views and URLs."""
