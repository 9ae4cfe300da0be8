class ApplicationError(Exception):
    """A business rule said no. The message is shown to the user; extra carries details."""

    def __init__(self, message: str, extra: dict | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}
