"""What the benchmark commands share: the load generator, the machine's figures, one results table."""
