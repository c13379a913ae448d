"""flow-reconciler: GitOps for Invictus flow settings and bulk resubmit/resume."""

__version__ = "0.1.0"
