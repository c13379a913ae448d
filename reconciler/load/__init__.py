"""Loading YAML files into models, with positions for findings."""
