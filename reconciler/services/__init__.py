"""Services: what a command does, between the CLI shell and the adapters (store, HTTP).
Nothing here prints; the CLI renders the outcomes."""
