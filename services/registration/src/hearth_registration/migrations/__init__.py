"""Registration's schema migrations."""
