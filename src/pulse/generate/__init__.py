"""``pulse generate``: deterministic, vectorised synthetic data for the five event sources.

Example::

    from pathlib import Path
    from pulse.generate import GenerateConfig, generate

    manifest = generate(Path("landing"), GenerateConfig(seed=7, days=3, scale=0.1))

Files land as ``<out>/<source>/<table>/batch_date=YYYY-MM-DD/<file>.csv[.gz]`` in the
formats of the reference data and the raw-table contracts
(``models/staging/*/_*__sources.yml``), with quirks at the rates of ``QuirkRates``;
``<out>/manifest.json`` records the parameters and, per file, rows and quirk counts.
The typer command is ``pulse.generate.command.generate_cmd``.
"""

from pulse.generate.config import SOURCES, GenerateConfig, QuirkRates, Volumes
from pulse.generate.runner import generate

__all__ = ["SOURCES", "GenerateConfig", "QuirkRates", "Volumes", "generate"]
