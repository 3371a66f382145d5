"""The words under the charts: summaries and coverage notes."""
