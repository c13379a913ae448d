"""HTTP adapters (reachability, dispatch, the GitHub API for PR comments)."""
