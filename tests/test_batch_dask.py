"""The batch on Dask distributed: a LocalCluster in threads through the API, and a LocalCluster of
worker processes reached by its scheduler address through the CLI, as a real cluster would be."""

from __future__ import annotations

import json
import subprocess

import distributed

from allocate.batch import BatchSettings, DaskEngine, Store, run_batch
from batch_helpers import W1, W2, allocate_cmd, replicated, threaded_dask


def test_dask_engine_on_a_threaded_local_cluster(tmp_path):
    """Every station is solved on the cluster's workers and stored; week 2 carries week 1 over."""
    data = replicated(tmp_path / "rep", 2)
    settings = BatchSettings(engine="dask", workers=1, time_limit=5)
    with threaded_dask(tmp_path) as (client, store):
        first = run_batch(data, W1, store, settings=settings, engine=DaskEngine(client))
        assert first.exit_code() == 0 and first.slots == 2
        second = run_batch(data, W2, store, settings=settings, engine=DaskEngine(client))
        assert second.exit_code() == 0
        assert set(store.station_weeks(W2)["history_source"]) == {f"store {W1}"}
        assert len(store.states(W1)) == len(store.states(W2)) == 4


def test_cli_on_a_dask_scheduler_address(tmp_path):
    """`allocate batch --engine dask --scheduler tcp://...` ships the stations to worker processes."""
    data = replicated(tmp_path / "rep", 2)
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        pids = set(client.run(lambda: __import__("os").getpid()).values())
        p = subprocess.run(
            allocate_cmd("batch", data, "--week", W1, "--store", url, "--engine", "dask",
                         "--scheduler", cluster.scheduler_address, "--time-limit", "5", "--json"),
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    assert p.returncode == 0, p.stderr
    summary = json.loads(p.stdout)
    assert summary["engine"] == "dask" and summary["stations_at_once"] == 2
    assert summary["stations"]["solved"] == 4
    with Store(url) as store:
        workers = {int(w.rsplit(":", 1)[1]) for w in store.station_weeks(W1)["worker"]}
    assert workers <= pids
