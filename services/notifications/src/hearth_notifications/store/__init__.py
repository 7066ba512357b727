"""Queries on notifications' own schema, one module per table family."""
