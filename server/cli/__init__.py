"""The `curbside` command (entry point server.cli.main:main; `python -m server.cli` runs the same).

One module per command group (serve, worker, database: migrate and check, backup: backup and restore, accounts:
accounts and tokens, members: invites, registrations, verifications and verifiers, moderation: domains, blocklists
and audit, held), each adding its commands to the parser with `add_commands`; `common` holds what they share (CliError,
the database runners). Groups import only `common`; `main` imports the groups: import-linter keeps it so.
Handlers import their services inside: a command loads only what it uses (the whole server takes
about twice as long to import as the command line itself).
"""
