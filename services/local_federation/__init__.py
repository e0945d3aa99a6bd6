"""`buurtpensioen up`: the whole federation on one machine, for a demo or for development."""
