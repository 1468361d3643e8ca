"""Static data files shipped with the server (a package so that packaging includes them)."""
