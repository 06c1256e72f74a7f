// Neo4j 5 only: the uniqueness constraint that makes acquire_lock's MERGE atomic between
// concurrent writers (FalkorDB runs one write query at a time per graph, so it needs none).
// Run before the lock is taken, so it is separate from create_constraints. No parameters.
CREATE CONSTRAINT chaingraph_lock_name IF NOT EXISTS FOR (n:ChainGraphLock) REQUIRE n.name IS UNIQUE
