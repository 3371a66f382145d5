"""One facade per page: every frame a page draws, computed in one call."""
