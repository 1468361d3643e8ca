"""`python -m server.cli`, as the `curbside` script."""
from server.cli.main import run

run()
