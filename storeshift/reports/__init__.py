"""PDF reports and badge sheets (reportlab), Qt-free: the weekly insight digest and badge PDFs.

Building blocks for other reports: fonts (per-script fonts), text (safe paragraphs),
layout (page template), charts, data (the week's figures), themes (grouping observations)."""
