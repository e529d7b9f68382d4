"""PAdES signatures on a finished PDF, and samdok's signature policy."""
