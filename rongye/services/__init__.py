"""Services: the only layer that writes, commits and audits."""
