"""Files in and out: answers, labels, coded files, exports; written safely."""
