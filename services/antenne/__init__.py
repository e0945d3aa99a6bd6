"""One antenne (local branch): its members, their exchanges of help, and the relay that publishes them."""
