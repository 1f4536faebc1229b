"""allocate: lawful police-station rosters from the data contract."""

__version__ = "0.1.0"
