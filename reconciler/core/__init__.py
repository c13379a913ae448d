"""The pure core: models in, values out. Imports no click, httpx or database driver."""
