"""The error for configuration a person wrote: it names the file, the line and the key."""


class ConfigError(ValueError):
    """Bad configuration. ``str()`` gives one line: ``file:line: KEY: what to fix``."""

    def __init__(
        self,
        message: str,
        file: "str | None" = None,
        line: "int | None" = None,
        key: "str | None" = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.key = key
        super().__init__(self._render())

    def _render(self) -> str:
        where = ""
        if self.file is not None:
            where = self.file + (":%d" % self.line if self.line is not None else "") + ": "
        elif self.line is not None:
            where = "line %d: " % self.line
        key = self.key + ": " if self.key else ""
        return where + key + self.message

    def __str__(self) -> str:
        return self._render()
