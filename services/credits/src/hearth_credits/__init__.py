"""Hearth credits service."""
