"""Document model to .docx and back: template context, writer, reader, clause marks, guard for
others' Word files, template check, render pool."""
