"""The MkDocs plugin: a thin adapter from MkDocs' events to the core.

Everything of value lives in the core modules; moving to another site
generator means rewriting this module only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.config import config_options as opt
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin

from .catalogue import Catalogue
from .problems import Level, render, summary
from .validate import validate


class CatalogueConfig(Config):
    path = opt.Type(str, default="catalogue")


class CataloguePlugin(BasePlugin[CatalogueConfig]):
    catalogue: Catalogue | None = None

    def on_config(self, config: Any) -> Any:
        root = Path(config["config_file_path"]).parent / self.config.path
        catalogue, problems = validate(root)
        if catalogue is None:
            errors = [p for p in problems if p.level is Level.ERROR]
            raise PluginError(f"Catalogue không hợp lệ: {summary(problems)}\n{render(errors, 'text')}")
        self.catalogue = catalogue
        return config
