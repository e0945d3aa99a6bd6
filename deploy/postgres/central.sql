-- The centre's PostgreSQL: the ledger and reporting, each with its own role and database. Run once as the
-- postgres superuser (the compose file mounts it as an init script), with the passwords from the
-- installation's secrets:  psql -v ledger_password=... -v reporting_password=... -f central.sql
CREATE ROLE ledger LOGIN PASSWORD :'ledger_password';
CREATE DATABASE ledger OWNER ledger;
CREATE ROLE reporting LOGIN PASSWORD :'reporting_password';
CREATE DATABASE reporting OWNER reporting;
