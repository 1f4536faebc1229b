"""The Curtois & Qu shift scheduling benchmark (instances 1-24) on the roster engine's rules."""
