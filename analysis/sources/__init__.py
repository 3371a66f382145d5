"""Where the data comes from: source health, datasets and the lake."""
