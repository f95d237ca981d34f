"""The ``qmoi`` command. Adapters only: parse arguments, call the core, return an exit code."""
