"""`python -m server.cli`, as the `curbside` script."""
import sys

from server.cli.main import main

sys.exit(main())
