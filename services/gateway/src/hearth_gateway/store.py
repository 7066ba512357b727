"""asyncpg queries on the gateway schema, one function per query, the caller owning the transaction."""
