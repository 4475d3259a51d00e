"""Order-to-cash, all in one place: the process (`process.py`), what it accepts from the
outside world while it runs (`events.py`), and its stages, one module each (`entry.py`,
`credit.py`, `stock.py`, `packing.py`, `planning.py`, `shipping.py`, `invoicing.py`,
`collection.py`, listed in `stages.py`, on the base in `stage.py`); their activities are
in `activities/order_to_cash.py`, their models in `valuechain/models/orders/`.

The package itself imports nothing: the sandbox imports it again before a stage's module
at every run. The workflow types one worker runs together: `process.WORKFLOWS`."""
