"""What is computed from coded answers: shifts, agreement, review, discovery, evaluation, plots."""
