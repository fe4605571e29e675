"""The supervision cycle (督辦): evidence files, review and closure of entries.

One module per part: ``evidence`` (files stored in the database, deduplicated by SHA-256) and
``reviews`` (審核 → 銷號, or a return with a reason). Each validates before its first write and
runs inside the caller's transaction, like ``tracker``.
"""
