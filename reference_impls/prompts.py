"""The prompt format and the forget instruction: data that the toy world trains on and the
prompting method uses, so both import it from here (the world never imports a method)."""

from __future__ import annotations


def format_prompt(question: str) -> str:
    return f"Question: {question}\nAnswer:"


def forget_instruction(topics: list[str]) -> str:
    return f"Forget everything about {', '.join(topics)}.\n"
