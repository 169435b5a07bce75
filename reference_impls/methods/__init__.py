"""One module per method class (registered in reference_impls.METHODS): `INTENTION`, a
`Config` dataclass, `unlearn(cfg, task) -> System`, and `python -m
reference_impls.methods.<name>` through `run_method`."""
