"""The two kinds of failure a user can meet, and the exit code each one gets."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class InputError(Exception):
    """Bad input or usage: the user can fix it. Exit code 2."""

    exit_code = 2

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None):
        self.message = message
        self.where = where
        self.hint = hint
        super().__init__(self.render())

    def render(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        return f"{text}\n  hint: {self.hint}" if self.hint else text


class PluginError(Exception):
    """A body plugin failed or broke the hook contract. Exit code 1."""

    exit_code = 1

    def __init__(self, plugin: str, hook: str, problem: str):
        self.plugin, self.hook, self.problem = plugin, hook, problem
        super().__init__(f"plugin {plugin!r} failed in hook {hook!r}: {problem}")


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A 'did you mean' hint for a misspelt name, or the valid choices when nothing is close."""
    options = sorted(set(choices))
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if close:
        return f"did you mean {close[0]!r}?"
    if options and len(options) <= 12:
        return "expected one of: " + ", ".join(options)
    return None
