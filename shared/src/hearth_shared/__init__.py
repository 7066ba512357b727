"""Hearth's own library: contracts, messaging kit, database, logging and settings."""
