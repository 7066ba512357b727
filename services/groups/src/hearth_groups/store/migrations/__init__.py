"""Groups' schema migrations (the kit's inbox and outbox come first)."""
