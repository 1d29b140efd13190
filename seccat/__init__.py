def version() -> str:
    """The installed seccat version (`seccat --version`, SARIF's semanticVersion)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("seccat")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"
