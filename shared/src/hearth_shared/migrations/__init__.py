"""The messaging kit's own tables, created in every service's schema before its own migrations."""
