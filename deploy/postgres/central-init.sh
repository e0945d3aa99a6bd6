#!/bin/sh
# Init script of the compose file's postgres-central: central.sql with the passwords from its environment
# (LEDGER_DB_PASSWORD and REPORTING_DB_PASSWORD in secrets/postgres-central.env).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" \
  -v ledger_password="$LEDGER_DB_PASSWORD" -v reporting_password="$REPORTING_DB_PASSWORD" \
  -f /opt/buurtpensioen/central.sql
