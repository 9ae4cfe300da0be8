"""Placeholder module: its endpoints are added with their area."""

urlpatterns: list = []
