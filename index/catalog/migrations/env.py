"""Alembic environment: runs the migrations on the connection `index.catalog.store.migrate` hands over."""

from __future__ import annotations

from alembic import context

from index.catalog.schema import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things: batch mode copies the table
)
with context.begin_transaction():
    context.run_migrations()
