"""The `haven` command line: a thin door over the core."""
