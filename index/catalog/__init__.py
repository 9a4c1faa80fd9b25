"""The library store: documents, their versions, approved answers, approvals, publish jobs, the audit trail and
the patient-insight counts, in one SQL database (SQLite by default, PostgreSQL by URL) through SQLAlchemy,
with the schema managed by Alembic migrations (`index/catalog/migrations`).

The files in `corpus/` import into it (`corpus_import`); a publish (`publish`) builds the index from it.
This package is the only one that imports SQLAlchemy and Alembic.
"""
