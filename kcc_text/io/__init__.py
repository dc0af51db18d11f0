"""Reading and writing the files kcc-text exchanges: answers, labels, coded files and exports."""
