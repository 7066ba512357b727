"""Notifications' background workers (claim loops): the scheduler and the mail sender."""
