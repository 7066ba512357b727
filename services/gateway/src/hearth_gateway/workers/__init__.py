"""The gateway's background work."""
