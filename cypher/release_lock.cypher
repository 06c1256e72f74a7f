// Releases the write lock if this holder (its token) still has it. Parameters: $lock, $token
MATCH (l:ChainGraphLock {name: $lock})
WHERE l.token = $token
DELETE l
RETURN count(*) AS released
