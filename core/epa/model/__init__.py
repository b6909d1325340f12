"""What the rules and records are (domain), and what grading answers (results): attrs classes, no logic."""
