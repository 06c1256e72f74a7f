// Removes the write lock whoever holds it (load --force-unlock, after its holder died), and
// says who held it. Parameters: $lock
MATCH (l:ChainGraphLock {name: $lock})
WITH l, l.host AS host, l.pid AS pid, l.since AS since, l.command AS command
DELETE l
RETURN host, pid, since, command
