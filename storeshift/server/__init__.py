"""Head office's PostgreSQL server: its schema and roles (schema.py) and a site's sync with it (sync.py)."""
