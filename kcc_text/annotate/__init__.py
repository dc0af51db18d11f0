"""Human coding, one answer at a time, append-only."""
