"""Notifications' HTTP API (OpenAPI at /docs): the delivery log and each person's preferences."""
