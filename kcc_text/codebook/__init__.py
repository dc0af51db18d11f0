"""Codebooks: the versioned YAML theme definitions, their patterns and their differences."""
