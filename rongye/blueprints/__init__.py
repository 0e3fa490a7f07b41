"""One blueprint per user-facing area."""
