"""The parts of fastact.losses, one job per module (the public names are fastact.losses')."""
