"""Exchange with spreadsheets and scripts: export (csv, json, xlsx) and import (csv, xlsx, xls).

export.py (what to write) over tables.py and entries.py (what the database holds) and one
writer per format (csv.py, json.py, xlsx.py); importer.py (all rows or none) over sources.py
(opening a file, its header row), read_csv.py and read_sheets.py (csv; xlsx and xls),
checks.py (one row), matching.py (what is there already) and write.py (the bulk write);
columns.py is shared by both sides. Values as people type them are read by ``pufa_cli.inputs``
(shared with ``pufa log``); files are written by ``pufa_cli.files``. Modules import nothing
heavy at import time.
"""
