"""HTTP adapters: the guarded client (guard), reachability checks, dispatch."""
