"""A cohort at a time: `epa compare --batch`, its workers and its CSV cells."""
