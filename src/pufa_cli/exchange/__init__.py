"""Exchange with spreadsheets and scripts: export (csv, json, xlsx) and import (csv, xlsx).

export.py (what to write) over tables.py and entries.py (what the database holds) and one
writer per format (csv.py, json.py, xlsx.py); importer.py (all rows or none) over sources.py
(reading files), checks.py (one row), matching.py (what is there already) and write.py (the
bulk write); columns.py is shared by both sides. Modules import nothing heavy at import time.
"""
