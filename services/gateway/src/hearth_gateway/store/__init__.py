"""asyncpg queries on the gateway's schema, one function per query, the caller owning the
transaction. Rows leave as the frozen types of `domain`, never as asyncpg records."""
