"""The background jobs ``bot.scheduler`` runs inside ``cxbot serve``, one module each.

Each module holds a small frozen policy (the settings that job reads) and a
job class with ``name``, ``every``, ``prepare(db)`` and ``run(db, now)``.
"""
