"""The law in the roster, once: each rule's name and its arithmetic, shared by model, hint,
diagnosis and sizing (the verifier keeps its own reading, see :mod:`allocate.verify`)."""
