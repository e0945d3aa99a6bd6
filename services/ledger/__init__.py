"""The central ledger: accounts and double-entry transfers of time credits, fed by every antenne."""
