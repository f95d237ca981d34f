"""Views of diagnostics and run events: text, JSON, SARIF, GitHub annotations."""
