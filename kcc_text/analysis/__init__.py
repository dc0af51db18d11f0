"""Analyses of coded answers: theme shifts, agreement, review, evaluation, plots and audit statistics."""
