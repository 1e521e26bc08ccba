"""Other forms of the built site: a copy that works from disk, a zip, a PDF book."""
