"""Hearth registration service."""
