"""What a person or a program reads: tables, the HTML report, calendars, JSON reports, written files."""
