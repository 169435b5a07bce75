"""sokkit: a knowledge base of LLM machine unlearning, organised by intention."""

__version__ = "0.1.0"
