"""The program: `python -m reconciler`, and the `reconciler` console script (`run`)."""

from reconciler.startup import pause_collector

pause_collector()  # before the imports: see reconciler.startup

from reconciler.cli import run  # noqa: E402

if __name__ == "__main__":
    run()
