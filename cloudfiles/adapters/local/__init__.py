"""Storage on this machine: file:// and mem://."""
