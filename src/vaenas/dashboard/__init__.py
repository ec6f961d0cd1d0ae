"""`vaenas dashboard OUT`: a local web page that watches a study (or a `vaenas compare`
folder) while it runs, reading its journal read-only: it never takes the study's lock,
never writes, never blocks the writer. `folder_view.py` reads, `drawing.py` turns an
architecture into what the page draws, `torch_side.py` computes the latent map and a table's
optimum in a process of its own (torch stays out of the server), `app.py` serves pages and the JSON
API (docs/dashboard.md), `server.py` runs it."""
