"""ui/web/gradio_compat.py's workarounds still hold for the installed Gradio: each test fails when
Gradio stops doing what one relies on (then fix or drop the workaround there)."""

from __future__ import annotations

import inspect
import subprocess
import sys

from conftest import ROOT


def test_importing_the_web_ui_skips_gradios_type_stubs():
    """Workaround 1: gradio.component_meta still has create_or_modify_pyi, ComponentMeta still calls
    it by that name for every component class, and importing ui.web first makes it our no-op."""
    code = ("import ui.web, gradio.component_meta as m, inspect; from ui.web.gradio_compat import no_stub; "
            "assert 'gradio' in __import__('sys').modules; "
            "assert m.create_or_modify_pyi is no_stub, m.create_or_modify_pyi; "
            "assert 'create_or_modify_pyi(' in inspect.getsource(m.ComponentMeta.__new__)")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]


def test_a_call_with_too_few_values_is_refused_by_name():
    """Workaround 2: Blocks.preprocess_data still calls validate_inputs(block_fn, inputs), and a
    BlockFunction still has .inputs, .fn and .api_name."""
    import gradio as gr

    from ui.web.gradio_compat import Blocks

    assert list(inspect.signature(gr.Blocks.validate_inputs).parameters) == ["self", "block_fn", "inputs"]
    assert "self.validate_inputs(block_fn, inputs)" in inspect.getsource(gr.Blocks.preprocess_data)

    def lookup(council: str, year: int = 0) -> dict:
        return {}

    with Blocks() as app:
        gr.api(lookup, api_name="lookup")
    block_fn = next(fn for fn in app.fns.values() if fn.api_name == "lookup")
    try:
        app.validate_inputs(block_fn, ["Trafford"])
    except gr.Error as exc:
        assert exc.message == "/lookup takes 2 values (council, year); 1 given"
    else:
        raise AssertionError("a call with one value of two was let through")
    app.validate_inputs(block_fn, ["Trafford", 2009])  # enough values: Gradio's own check, which passes


def test_gradios_app_keeps_its_login_state_where_the_auth_middleware_reads_it():
    """Workaround 3: the FastAPI app Gradio serves has `tokens` (token -> user), `cookie_id` (its
    login cookie is access-token[-unsecure]-<cookie_id>) and `startup_events_triggered`."""
    import gradio as gr
    from gradio.routes import App

    from ui.web.gradio_compat import login_tokens, started

    with gr.Blocks() as blocks:
        gr.Markdown("x")
    app = App.create_app(blocks)
    tokens, cookie_id = login_tokens(app)
    assert isinstance(tokens, dict) and isinstance(cookie_id, str) and cookie_id
    assert started(app) is False and isinstance(app.startup_events_triggered, bool)
    routes = inspect.getsource(App.create_app)
    assert "access-token-{app.cookie_id}" in routes and "access-token-unsecure-{app.cookie_id}" in routes
    assert "app.tokens[token] = username" in routes and "app.startup_events_triggered = True" in routes
