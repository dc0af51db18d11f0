"""kcc-text."""
