"""The exceptions users see: each message is printed as a single line by the CLI and the app."""


class ExpotionError(Exception):
    """A problem with the input or the request, explained in one line for the user."""


class ParameterError(ExpotionError):
    """A parameter out of range or of the wrong kind. The message starts with the parameter's
    name (`seed must be …`); the CLI shows its flag instead (`--seed must be …`)."""

    def __init__(self, parameter: str, problem: str):
        super().__init__(f"{parameter} {problem}")
        self.parameter, self.problem = parameter, problem
