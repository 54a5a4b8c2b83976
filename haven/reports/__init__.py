"""Reports for people: self-contained HTML now; PDF memos later."""
