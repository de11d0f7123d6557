"""The in-memory CRM: the connector protocol over a SQLite file, for tests, benchmarks and trials."""
