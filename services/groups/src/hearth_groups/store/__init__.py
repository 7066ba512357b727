"""asyncpg queries on the groups schema, one module per table family, returning typed rows; the
caller owns the transaction. Every value is a parameter, never spliced into SQL."""
