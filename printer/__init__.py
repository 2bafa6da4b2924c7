"""Receipt printing: the slip's layout (pure), ESC/POS output through python-escpos, printer backends chosen
by a URI, a persistent print queue and the worker that drains it."""
