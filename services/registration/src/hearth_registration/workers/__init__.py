"""Registration's claim loops."""
