"""Places and maps: H3 cells, decks, choropleths, basemaps and static hot-spot maps."""
