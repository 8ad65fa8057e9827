"""What a user keeps: atomic results folders with their manifest, figures and reports."""
