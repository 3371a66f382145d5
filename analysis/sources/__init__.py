"""Where the data comes from: source health and datasets."""
