#!/usr/bin/env python3
"""Tests of scripts/check-layers.py on tiny crates written to a temporary folder.

    python3 scripts/test_check_layers.py
"""

from __future__ import annotations

import importlib.util
import io
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "check_layers", Path(__file__).resolve().parent / "check-layers.py"
)
check_layers = importlib.util.module_from_spec(_spec)
sys.modules["check_layers"] = check_layers
_spec.loader.exec_module(check_layers)

LAYERS = """
[[layer]]
name = "base"
modules = ["base"]

[[layer]]
name = "config"
modules = ["config"]

[[layer]]
name = "model"
modules = ["model"]

[[layer]]
name = "top"
modules = ["crate", "report"]
"""


class Crate:
    """A crate under a temporary folder: {relative path: source}."""

    def __init__(self, files: dict[str, str], layers: str = LAYERS):
        self.dir = tempfile.TemporaryDirectory()
        root = Path(self.dir.name)
        for rel, text in files.items():
            path = root / "src" / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text), encoding="utf-8")
        (root / "layers.toml").write_text(layers, encoding="utf-8")
        self.src = root / "src"
        self.layers = check_layers.Layers.load(root / "layers.toml")

    def run(self, layers: bool = True) -> tuple[int, str]:
        out = io.StringIO()
        failures = check_layers.check(self.src, self.layers if layers else None, False, out)
        return failures, out.getvalue()

    def edges(self) -> set[tuple[str, str]]:
        _, imports = check_layers.import_graph(self.src)
        return {(check_layers.name(i.source), check_layers.name(i.target)) for i in imports}

    def close(self) -> None:
        self.dir.cleanup()


LADDER = {
    "lib.rs": """
        pub mod base;
        pub mod config;
        pub mod model;
        pub mod report;
        pub fn run() { report::render(&model::build()); }
    """,
    "base/mod.rs": "pub mod span;\npub type Map = std::collections::HashMap<u8, u8>;\n",
    "base/span.rs": "pub struct Span;\n",
    "config/mod.rs": "pub mod settings;\n",
    "config/settings.rs": """
        use crate::base::{span::Span, Map};
        pub struct Settings { pub at: Span, pub map: Map }
    """,
    "model/mod.rs": """
        use crate::config::settings::Settings;
        pub struct Model(pub Option<Settings>);
        pub fn build() -> Model { Model(None) }
    """,
    "report/mod.rs": "pub fn render(m: &crate::model::Model) { let _ = m; }\n",
}


class LayerCheckTest(unittest.TestCase):
    def crate(self, files: dict[str, str], layers: str = LAYERS) -> Crate:
        c = Crate(files, layers)
        self.addCleanup(c.close)
        return c

    def test_a_ladder_passes(self):
        failures, out = self.crate(LADDER).run()
        self.assertEqual(failures, 0, out)
        self.assertIn("no import loop spans more than one folder", out)
        self.assertIn("layers in order: base < config < model < top", out)

    def test_a_loop_across_folders_fails_and_names_the_lines(self):
        files = dict(LADDER)
        # configuration reaching up into the model: config -> model -> config
        files["config/settings.rs"] = """
            use crate::base::span::Span;
            pub struct Settings { pub at: Span }
            pub fn known() -> bool {
                crate::model::build().0.is_none()
            }
        """
        failures, out = self.crate(files).run(layers=False)
        self.assertEqual(failures, 1, out)
        self.assertIn("import loop of 2 modules across 2 folders (config, model)", out)
        self.assertIn("src/config/settings.rs:5: config::settings -> model (crate::model::build)", out)
        self.assertIn("src/model/mod.rs:2: model -> config::settings", out)

    def test_a_lower_layer_importing_a_higher_one_fails_without_a_loop(self):
        files = dict(LADDER)
        files["base/mod.rs"] += "pub mod text;\n"
        files["base/text.rs"] = """
            // a doc comment naming crate::report::render is not an import
            pub struct Text;
            pub const NAME: &str = "crate::report";
            pub fn shown() { crate::report::render(&crate::model::build()) }
        """
        failures, out = self.crate(files).run()
        self.assertEqual(failures, 2, out)
        self.assertIn(
            "error: src/base/text.rs:5: base::text (layer base) imports report (layer top, higher)", out
        )
        self.assertIn("base::text (layer base) imports model (layer model, higher)", out)
        self.assertIn("no import loop spans more than one folder", out)
        self.assertNotIn("text.rs:2:", out)  # the comment
        self.assertNotIn("text.rs:4:", out)  # the string

    def test_a_module_in_no_layer_fails(self):
        files = dict(LADDER)
        files["lib.rs"] += "pub mod stray;\n"
        files["stray.rs"] = "pub struct Stray;\n"
        failures, out = self.crate(files).run()
        self.assertEqual(failures, 1, out)
        self.assertIn("module stray is in no layer", out)

    def test_a_layer_naming_no_module_fails(self):
        failures, out = self.crate(LADDER, LAYERS.replace('"config"]', '"config", "settings"]')).run()
        self.assertEqual(failures, 1, out)
        self.assertIn("the layer table names settings, which is no module", out)

    def test_an_allowed_import_is_listed_and_a_stale_allowance_fails(self):
        files = dict(LADDER)
        files["base/span.rs"] = """
            pub struct Span;
            #[cfg(test)]
            mod tests {
                fn whole() { crate::run() }
            }
        """
        allow = '\n[[allow]]\nmodule = "base::span"\nimports = "crate"\nwhy = "its test runs the pipeline"\n'
        failures, out = self.crate(files).run()
        self.assertEqual(failures, 2, out)  # a loop through lib.rs, and the order
        failures, out = self.crate(files, LAYERS + allow).run()
        self.assertEqual(failures, 0, out)
        self.assertIn("allowed: src/base/span.rs:5: base::span -> crate (lib.rs) (its test runs the pipeline)", out)
        failures, out = self.crate(LADDER, LAYERS + allow).run()
        self.assertEqual(failures, 1, out)
        self.assertIn("allows base::span to import crate (lib.rs), which it does not", out)

    def test_a_loop_within_one_folder_is_allowed(self):
        files = dict(LADDER)
        files["model/mod.rs"] = "pub mod a;\npub mod b;\npub struct Model(pub u8);\npub fn build() -> Model { Model(a::A) }\n"
        files["model/a.rs"] = "pub const A: u8 = super::b::B;\n"
        files["model/b.rs"] = "pub const B: u8 = 1;\npub fn a() -> u8 { super::a::A }\n"
        failures, out = self.crate(files).run()
        self.assertEqual(failures, 0, out)

    def test_grouped_nested_renamed_and_aliased_paths(self):
        files = dict(LADDER)
        files["lib.rs"] += "pub mod extra;\n"
        files["extra.rs"] = """
            use crate::{base::{self as b, span::{Span}}, config};
            use super::model as m;
            pub fn f(_: Span, _: b::Map) {
                let _ = config::settings::Settings { at: Span, map: Default::default() };
                let s = "use crate::report;"; let c = '"'; let _ = (s, c);
                let _ = r#"crate::report::render"#;
                m::build();
            }
            #[cfg(test)]
            mod tests {
                use super::*;
                use super::super::report;
            }
        """
        edges = self.crate(files, LAYERS.replace('"report"]', '"report", "extra"]')).edges()
        from_extra = {t for s, t in edges if s == "extra"}
        self.assertEqual(from_extra, {"base", "base::span", "config", "config::settings", "model", "report"})

    def test_lifetimes_do_not_hide_paths(self):
        files = dict(LADDER)
        files["report/mod.rs"] = """
            pub fn render<'a>(m: &'a crate::model::Model) -> &'a crate::model::Model { m }
            pub fn first(s: &str) -> char { s.chars().next().unwrap_or('x') }
            pub fn span() -> crate::base::span::Span { crate::base::span::Span }
        """
        edges = self.crate(files).edges()
        self.assertIn(("report", "model"), edges)
        self.assertIn(("report", "base::span"), edges)


if __name__ == "__main__":
    unittest.main()
