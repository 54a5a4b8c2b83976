"""Reports for people: the HTML impact report, decision-support memos (HTML, PDF), plain words."""
