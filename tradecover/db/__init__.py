"""Persistence adapter: SQLAlchemy engine, unit of work, column types and Alembic migrations."""
