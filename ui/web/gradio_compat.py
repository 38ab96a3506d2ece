"""Every place this project reaches into Gradio past its documented API, in one module.

Each workaround names what it relies on; tests/test_gradio_compat.py fails when the installed
Gradio stops doing so. Nothing else in ui/ should touch a private name of Gradio's.

1. `import gradio` without rewriting type stubs (_NoGradioStubs): Gradio (6.x) calls
   `gradio.component_meta.create_or_modify_pyi` for every component class at every import; it
   reads the class's source, parses it, renders a template and compares it with the .pyi stub
   beside it, for Gradio's own developers' type checking. That was ~45% of `import gradio`
   (3.2 s -> 1.75 s at load 4, the largest part of `letters-qa serve`'s start;
   bench/results/2026-12-03-serve-start.md). The stubs do nothing at run time and the wheel
   ships them. Installed when this module is imported, before gradio is: import it first.
   Harmless if Gradio renames the function (the import is then as slow as before).
2. `Blocks.validate_inputs` (called by `Blocks.process_api` before a named endpoint's function):
   a call with too few values gets a clear error naming the endpoint's parameters, not a
   traceback in the server's log.
3. Gradio's login state on its FastAPI app (`tokens`, `cookie_id`, `startup_events_triggered`):
   ui/auth.py's GuardMiddleware checks the login cookie Gradio issued, gives HTTP Basic
   requests one, and lets Gradio's own start-up call through once (login_tokens, started).
"""

import importlib.abc
import importlib.util
import inspect
import sys


class _NoGradioStubs(importlib.abc.MetaPathFinder):
    """Imports gradio.component_meta with its `create_or_modify_pyi` a no-op (workaround 1)."""

    def find_spec(self, name, path=None, target=None):
        if name != "gradio.component_meta":
            return None
        sys.meta_path.remove(self)  # once; and find_spec below must not come back here
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        exec_module = spec.loader.exec_module

        def exec_without_stubs(module):
            exec_module(module)
            if hasattr(module, "create_or_modify_pyi"):
                module.create_or_modify_pyi = no_stub

        spec.loader.exec_module = exec_without_stubs
        return spec


def no_stub(*args, **kwargs) -> None:
    return None


if "gradio" not in sys.modules:
    sys.meta_path.insert(0, _NoGradioStubs())

import gradio as gr  # noqa: E402 - after the hook


class Blocks(gr.Blocks):
    """gr.Blocks whose calls with too few values get a clear error, not a traceback in the log (workaround 2)."""

    def validate_inputs(self, block_fn, inputs) -> None:
        if len(inputs) < len(block_fn.inputs):
            names = ", ".join(inspect.signature(block_fn.fn).parameters) if block_fn.fn else "values"
            raise gr.Error(f"/{block_fn.api_name} takes {len(block_fn.inputs)} values ({names}); "
                           f"{len(inputs)} given", print_exception=False)
        super().validate_inputs(block_fn, inputs)


def login_tokens(app) -> tuple[dict | None, str | None]:
    """Gradio's FastAPI app's login tokens (token -> user name) and the suffix of its cookie's
    name (workaround 3); (None, None) for an app that has none."""
    return getattr(app, "tokens", None), getattr(app, "cookie_id", None)


def started(app) -> bool:
    """Whether Gradio's app has run its start-up events (workaround 3); True when it cannot say."""
    return getattr(app, "startup_events_triggered", True)
