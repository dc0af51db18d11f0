"""The Dutch pipeline: tokens, lemmas and negation marks."""
