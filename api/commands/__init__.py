"""The CLI's subcommands beyond serve, project and rebuild: one module each, with `register(commands)`
adding its parser and setting `run`. `api.cli` lists them in `COMMANDS`."""
