"""The build: cases through every stage into build/, with its state and manifest."""
