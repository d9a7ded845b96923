"""Helpers shared by the test folders: seeding, signing in, waiting, portals."""
