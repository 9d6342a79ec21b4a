//! Padu storage: the registry, its history and the civil-registry extract on SQLite or PostgreSQL (sqlx).
