"""What every stage stands on: bounded reads and atomic writes, git, signals, the build's
temporary folder, the project's paths, reproducible dates."""
