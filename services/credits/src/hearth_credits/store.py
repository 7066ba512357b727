"""asyncpg queries on the credits schema, one function per query, the caller owning the transaction."""
