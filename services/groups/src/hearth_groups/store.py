"""asyncpg queries on the groups schema, one function per query, the caller owning the transaction."""
