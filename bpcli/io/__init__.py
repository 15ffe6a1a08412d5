"""Reading and writing files: YAML with line numbers, data sets, atomic writes."""
