"""Hearth groups service."""
