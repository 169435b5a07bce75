"""Shared primitives every part may use: file access that refuses links and special files
(`files`), and the one escaping gate for contributed text (`html`). Imports nothing of sokkit."""
