// Takes the write lock of the graph: the one :ChainGraphLock node, created when there is none,
// with the holder's token, host, process id, start time and command. Whoever's token it returns
// holds the lock; the store compares it with its own. MERGE is atomic on Neo4j through the
// constraint of create_lock_constraint, and on FalkorDB because it runs one write at a time.
// Parameters: $lock (the lock's name), $token, $host, $pid, $since, $command
MERGE (l:ChainGraphLock {name: $lock})
ON CREATE SET l.token = $token, l.host = $host, l.pid = $pid, l.since = $since, l.command = $command
RETURN l.token AS token, l.host AS host, l.pid AS pid, l.since AS since, l.command AS command
