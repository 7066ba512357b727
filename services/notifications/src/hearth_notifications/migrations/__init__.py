"""Notifications' schema migrations."""
