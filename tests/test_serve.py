"""shopnb.serve and `shopnb serve`: the Voila command, the pools, the token, the environment."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from shopnb import cli, serve
from shopnb.store import ENV_DATA, ENV_LANG, ENV_NOTEBOOKS

NOTEBOOKS = ["competitors.ipynb", "experiments.ipynb", "funnel.ipynb", "index.ipynb"]


@pytest.fixture
def notebooks(tmp_path: Path) -> Path:
    folder = tmp_path / "notebooks"
    folder.mkdir()
    for name in NOTEBOOKS:
        (folder / name).write_text("{}")
    return folder


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.0.0.2", True), ("::1", True), ("localhost", True),
    ("0.0.0.0", False), ("::", False), ("192.168.1.20", False), ("shop.example.com", False)])
def test_is_loopback(host, loopback):
    assert serve.is_loopback(host) is loopback


def test_pools_give_every_page_one_then_the_busiest_pages_more_within_a_share_of_memory():
    sizes = serve.pool_sizes(NOTEBOOKS, available_mb=16_000)  # 16 kernels in a quarter
    assert sizes == {"index.ipynb": 8, "funnel.ipynb": 6, "competitors.ipynb": 1,
                     "experiments.ipynb": 1}
    big = serve.pool_sizes(NOTEBOOKS, available_mb=64_000)
    assert big == {"index.ipynb": 8, "funnel.ipynb": 8, "competitors.ipynb": 2,
                   "experiments.ipynb": 2}
    small = serve.pool_sizes(NOTEBOOKS, available_mb=5_000)  # 5 kernels
    assert small == {"index.ipynb": 2, "funnel.ipynb": 1, "competitors.ipynb": 1,
                     "experiments.ipynb": 1}
    assert sum(small.values()) * serve.KERNEL_MB <= 5_000 / 4
    tight = serve.pool_sizes(NOTEBOOKS, available_mb=2_000)  # 2 kernels: the busiest pages
    assert tight == {"index.ipynb": 1, "funnel.ipynb": 1, "competitors.ipynb": 0,
                     "experiments.ipynb": 0}
    assert set(serve.pool_sizes(NOTEBOOKS, available_mb=900).values()) == {0}
    assert set(serve.pool_sizes(NOTEBOOKS, available_mb=64_000, most=2).values()) == {2}
    assert set(serve.pool_sizes(NOTEBOOKS, available_mb=64_000, most=1).values()) == {1}


def test_a_loopback_plan_has_no_token_and_the_settings_of_make_serve(notebooks):
    plan = serve.plan(notebooks, available_mb=16_000)
    assert plan.token is None
    argv = plan.voila_argv()
    for flag in ("--no-browser", "--port=8866", "--Voila.ip=127.0.0.1", "--strip_sources=True",
                 "--template=shopnb", "--show_tracebacks=False", "--preheat_kernel=True",
                 "--MappingKernelManager.cull_idle_timeout=600"):
        assert flag in argv
    assert not any(a.startswith("--token") for a in argv)
    assert argv[-1] == str(notebooks)
    pools = plan.voila_config()["VoilaKernelManager"]["kernel_pools_config"]
    assert pools["index.ipynb"] == {"pool_size": 8} and pools["default"] == {"pool_size": 0}
    assert f"--pool_size={serve.MAX_POOL}" in argv
    assert plan.url == "http://127.0.0.1:8866/voila/render/index.ipynb"


def test_any_other_address_gets_a_token_generated_or_given(notebooks):
    generated = serve.plan(notebooks, host="0.0.0.0", available_mb=16_000)
    other = serve.plan(notebooks, host="0.0.0.0", available_mb=16_000)
    assert len(generated.token) >= 32 and generated.token != other.token
    assert f"--token={generated.token}" in generated.voila_argv()
    assert generated.url.endswith(f"?token={generated.token}")
    given = serve.plan(notebooks, host="192.168.1.20", token="s3cret", available_mb=16_000)
    assert "--token=s3cret" in given.voila_argv()


def test_pool_zero_means_no_preheating(notebooks):
    plan = serve.plan(notebooks, pool=0, available_mb=16_000)
    assert not plan.preheat and "VoilaKernelManager" not in plan.voila_config()
    assert "--preheat_kernel=True" not in plan.voila_argv()


def test_the_environment_carries_the_template_and_the_settings(notebooks, tmp_path):
    plan = serve.plan(notebooks, data=tmp_path, lang="en", host="0.0.0.0", available_mb=0)
    env = plan.env({"JUPYTER_PATH": "/elsewhere", ENV_DATA: "/old"})
    assert env["JUPYTER_PATH"].split(":") == [str(serve.SHARE), "/elsewhere"]
    assert (serve.SHARE / "voila" / "templates" / "shopnb" / "index.html.j2").is_file()
    assert (env[ENV_DATA], env[ENV_LANG], env[ENV_NOTEBOOKS]) == (
        str(tmp_path.resolve()), "en", str(notebooks.resolve()))
    assert env["VOILA_APP_IP"] == "127.0.0.1"  # where pooled kernels ask for their request
    assert ENV_DATA not in serve.plan(notebooks, available_mb=0).env({ENV_DATA: "/old"})


def test_the_command_runs_voila_with_the_pools(notebooks):
    plan = serve.plan(notebooks, available_mb=16_000)
    argv = serve.command(plan)
    assert "voila.app" in argv[2]
    assert json.loads(argv[3]) == plan.voila_config()
    assert argv[4:] == plan.voila_argv()


def test_the_charts_javascript_is_served_from_a_share_of_the_template(notebooks, tmp_path):
    plan = serve.with_static_bundle(serve.plan(notebooks, available_mb=0), tmp_path / "share")
    served = tmp_path / "share" / "voila" / "templates" / "shopnb" / "static" / plan.chart_bundle
    assert served.is_file() and served.stat().st_size > 100_000
    env = plan.env({})
    assert env["JUPYTER_PATH"].split(":") == [str(serve.SHARE), str(tmp_path / "share")]
    assert env["SHOPNB_CHART_BUNDLE"] == plan.chart_bundle
    assert "SHOPNB_CHART_BUNDLE" not in serve.plan(notebooks, available_mb=0).env(
        {"SHOPNB_CHART_BUNDLE": "old.js"})
    # the template has the browser fetch it while the page loads
    assert plan.voila_config()["VoilaConfiguration"]["resources"] == {
        "chart_bundle": plan.chart_bundle}
    assert "resources" not in serve.plan(notebooks, available_mb=0).voila_config()[
        "VoilaConfiguration"]


@pytest.mark.parametrize(("args", "error"), [
    (["--data", "/no/such/folder"], "--data /no/such/folder: no such folder"),
    (["--notebooks", "/no/such/folder"], "--notebooks /no/such/folder: no such folder"),
])
def test_serve_refuses_missing_folders(args, error, capsys):
    assert cli.main(["serve", *args]) == 2
    assert error in capsys.readouterr().err


def test_serve_refuses_a_folder_without_notebooks(tmp_path, capsys):
    assert cli.main(["serve", "--notebooks", str(tmp_path)]) == 2
    assert "has no notebooks" in capsys.readouterr().err


def test_serve_says_where_and_with_which_token_then_runs_voila(notebooks, monkeypatch, capsys):
    ran = []
    monkeypatch.setattr(serve, "run", ran.append)
    cli.main(["serve", "--notebooks", str(notebooks), "--host", "0.0.0.0", "--port", "9000",
              "--lang", "en", "--pool", "2"])
    out = capsys.readouterr().out
    plan = ran[0]
    assert (plan.host, plan.port, plan.lang) == ("0.0.0.0", 9000, "en")
    assert max(plan.pool.values()) <= 2
    assert "need a token (generated)" in out and plan.token in out
    assert f"open http://{socket.gethostname()}:9000/voila/render/index.ipynb?token=" in out


def test_without_a_writable_cache_the_charts_carry_their_javascript(notebooks, tmp_path):
    blocked = tmp_path / "read-only"
    blocked.write_text("a file where the folder would go")
    plan = serve.with_static_bundle(serve.plan(notebooks, available_mb=0), blocked / "share")
    assert plan.chart_bundle is None and "SHOPNB_CHART_BUNDLE" not in plan.env({})


def test_the_pages_kernel_is_the_light_one_and_the_funnel_page_needs_no_scipy(monkeypatch):
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import start_new_kernel

    env = serve.Plan(Path("notebooks")).env()
    monkeypatch.setenv("JUPYTER_PATH", env["JUPYTER_PATH"])
    spec = KernelSpecManager().get_kernel_spec("python3")  # the notebooks' kernel name
    assert spec.argv[:3] == ["python", "-m", "shopnb.kernel"]
    km, kc = start_new_kernel(kernel_name="python3", env=env)
    try:
        code = ("import sys, pyarrow, shopnb as sn\n"
                "from shopnb.pages.funnel import build_funnel\n"
                "build_funnel(sn.store.funnel_tables(None))\n"
                "hooks = get_ipython().events.callbacks['post_run_cell']\n"
                "print(pyarrow.default_memory_pool().backend_name,"
                " [h.__name__ for h in hooks][-2:] == ['give_back_memory', 'freeze_what_is_kept'],"
                " *(sys.modules.get(m) is not None for m in ('ipykernel', 'debugpy', 'sqlite3',"
                " 'scipy', 'statsmodels', 'pyarrow.parquet', 'rfc3987_syntax', 'isoduration')))")
        out = []
        reply = kc.execute_interactive(code, timeout=120, output_hook=lambda m: out.append(
            m["content"].get("text", "")) if m["msg_type"] == "stream" else None)
        assert reply["content"]["status"] == "ok"
        assert "".join(out).split() == ["system", "True", "True", *["False"] * 7]
        out.clear()  # the cell that built the page left its objects frozen
        kc.execute_interactive("import gc; print(gc.get_freeze_count() > 100_000)", timeout=60,
                               output_hook=lambda m: out.append(m["content"].get("text", ""))
                               if m["msg_type"] == "stream" else None)
        assert "".join(out).split() == ["True"]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
