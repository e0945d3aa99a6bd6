"""Operating the federation: `buurtpensioen status`, backup and restore."""
