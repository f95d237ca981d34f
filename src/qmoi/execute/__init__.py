"""Running one job on one host: shells, workflow commands, environment files, secret
masking, default environment and step summaries, each as a small module that mirrors the
actions/runner behaviour it cites."""
