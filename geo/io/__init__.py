"""Reading and writing users' files safely.

- :mod:`geo.io.safefile` — the one guarded way to open a user's file.
- :mod:`geo.io.tables` — CSV, Excel and vector layers read as text, with the file's row numbers.
- :mod:`geo.io.quantities` — numbers, units and years as officials write them.
- :mod:`geo.io.atomic` — one atomic write (temporary file, then rename).
"""
