"""Input limits shared by the file readers and the YAML loader (no heavy imports here:
reading files must not pull in the YAML parser when every result is cached)."""

MAX_BYTES = 1024 * 1024  # one configuration file
