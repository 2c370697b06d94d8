"""The `lienthong` command line."""
