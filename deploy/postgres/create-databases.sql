-- One role and one database per antenne, plus the ledger and reporting. Run as the postgres superuser;
-- set the passwords from the installation's generated secrets (psql -v jette_password=... etc.).
CREATE ROLE antenne_jette LOGIN PASSWORD :'jette_password';
CREATE DATABASE antenne_jette OWNER antenne_jette;
CREATE ROLE antenne_laken LOGIN PASSWORD :'laken_password';
CREATE DATABASE antenne_laken OWNER antenne_laken;
CREATE ROLE antenne_neder_over_heembeek LOGIN PASSWORD :'noh_password';
CREATE DATABASE antenne_neder_over_heembeek OWNER antenne_neder_over_heembeek;
CREATE ROLE ledger LOGIN PASSWORD :'ledger_password';
CREATE DATABASE ledger OWNER ledger;
CREATE ROLE reporting LOGIN PASSWORD :'reporting_password';
CREATE DATABASE reporting OWNER reporting;
