"""The emulated Modal backend: persistent state, image registry, faults, logs and the admin CLI."""
