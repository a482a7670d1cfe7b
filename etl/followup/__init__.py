"""The follow-up model: stored values → typed yearly rows with statuses, for every output.

`store` reads the database, `rules` judges a value (enums, no words), `records` holds the
typed rows and `build` puts them together for a measure; `table` is the follow-up table of
every measure. The dashboard turns the enums into words (dashboard/present/words.py).
"""
