"""The trained classifier: features, training, decisions, persistence."""
