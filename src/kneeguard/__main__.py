"""``python -m kneeguard`` runs the command-line app."""

from kneeguard.cli import main

if __name__ == "__main__":
    main()
