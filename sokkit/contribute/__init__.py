"""Contributing entries: `sokkit new` (scaffold), `add` (arxiv), `import-bib` (bibimport)
and `fmt` (entryfmt, the one canonical text of every entry the tools write)."""
