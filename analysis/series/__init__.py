"""Time series: official and incident monthly series, periods and coverage, rates and comparisons."""
