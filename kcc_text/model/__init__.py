"""The trained theme classifier: features, estimators, calibration, thresholds and confidence."""
