"""The store: the mirror of the CRM, decisions and their audit trail, the outbox and the ledger."""
