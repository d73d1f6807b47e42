"""Pattern Atlas explorer: interactive views of the pattern graph."""
