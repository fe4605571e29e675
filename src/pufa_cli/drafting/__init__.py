"""Drafting a plan file from the issued document (``pufa plan draft``).

The pipeline, one module a step, each pure (no database, no printing):

========== ==================================================================================
sources    the document → blocks: paragraphs (txt, md, docx, GB18030 text) and table rows
outline    blocks → title, preamble, sections, tasks, sub-items (the Chinese outline levels)
deadlines  a task's paragraph → ``due``, ``checks``, ``timing`` (words resolved by timing.py)
units      a task's paragraph or table cells → ``responsible``, ``lead``, ``support``
targets    a task's paragraph → quantitative targets (number + measure word, %, 全覆蓋)
writer     the draft → YAML text with a comment on every guessed line
drafter    runs the steps and checks the YAML with the plan loader before returning it
========== ==================================================================================
"""
