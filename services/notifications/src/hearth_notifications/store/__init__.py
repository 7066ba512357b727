"""Notifications' queries on its own schema, one module per table family, returning typed rows."""
