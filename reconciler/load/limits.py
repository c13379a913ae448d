"""Input limits shared by the file readers and the YAML loader (no heavy imports here:
reading files must not pull in the YAML parser when every result is cached)."""

MAX_BYTES = 1024 * 1024  # one configuration file

# One run record (its JSON text) in a run file: larger or deeper records are refused
# before they are decoded, so that neither memory nor the decoder's stack depends on them.
MAX_RECORD_BYTES = 1024 * 1024
MAX_RECORD_DEPTH = 64
