"""Entry points: the CloudFiles API, dl, and the command line; they wire the layers together."""
