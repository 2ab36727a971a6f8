"""One module per output format; ``registry`` lists them by --format name."""
