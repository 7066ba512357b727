"""Hearth notifications service."""
