"""Reading input: records and cohorts (JSON, YAML, CSV, Excel), hostile input refused, record checks."""
