"""Briefing packs for PSP working-group meetings: PowerPoint and PDF from the same slides.

Decisions
- Content comes from report.briefing (one list of slides); this package only renders.
- Chart images are the app's own Plotly figures exported by kaleido 1.x, which drives the
  machine's Chromium (Debian's `chromium`). One kaleido server is started per pack, so
  twelve charts cost one browser start.
- PDF with ReportLab: pure Python, no server or page to load, and it lays out the same
  PNGs and text as the slides; Playwright's page.pdf would need a running dashboard, and
  WeasyPrint would add a second HTML/CSS layout to maintain.
"""
