"""Test fixtures for Hearth: real infrastructure, isolated per session."""
