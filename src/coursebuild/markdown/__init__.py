"""The Markdown stage: markdown-it-py with coursebuild's rules (shortcodes,
math, figures, highlighting, heading ids, glossary marks)."""
