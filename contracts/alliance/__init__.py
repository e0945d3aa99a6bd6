"""Messages between the federation's ledger and the Samen Toujours alliance partners."""
