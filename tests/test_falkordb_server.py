"""The throw-away FalkorDB server of the ``db`` tests (issue 15): its Bolt port cannot be bound to
127.0.0.1 (the module has no such argument), so its Redis port at least asks for a password."""
from __future__ import annotations

from pathlib import Path

import pytest
from falkordb_server import FalkorDBServer

pytestmark = pytest.mark.db


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with FalkorDBServer(tmp_path_factory.mktemp("falkordb"), persistence=None) as srv:
        yield srv


def test_redis_port_needs_the_password(server):
    import redis

    client = redis.Redis(host="127.0.0.1", port=server.port)
    try:
        with pytest.raises(redis.exceptions.AuthenticationError):
            client.ping()
    finally:
        client.close()
    assert len(server.password) == 16


def test_the_fixture_uri_carries_the_password(server):
    from chaingraph.datasets import read_dataset
    from chaingraph.stores.graphdb import CypherStore, load_dataset

    assert server.uri == f"falkordb://:{server.password}@127.0.0.1:{server.port}"
    assert server.address == f"falkordb://127.0.0.1:{server.port}"
    load_dataset(read_dataset(Path(__file__).parent / "data" / "tiny"), server.uri)
    with CypherStore.connect(server.uri) as store:
        assert store.counts()["firms"] == 4
