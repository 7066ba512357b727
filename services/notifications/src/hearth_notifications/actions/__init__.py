"""Notifications' write paths, one module per aggregate; each function is one transaction's work
(`work: Work`): load, decide with `domain`, write through `store`, publish through the outbox."""
