"""The pages, one module per page family; each has a ``router``."""
