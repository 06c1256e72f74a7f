// Deletes up to $limit chaingraph nodes (and their relationships); the store repeats it
// until it returns 0, so no transaction grows with the graph. Parameters: $limit
MATCH (n)
WHERE n:Firm OR n:Segment OR n:Chain OR n:Region OR n:Dataset OR n:Project
WITH n LIMIT $limit
DETACH DELETE n
RETURN count(n) AS deleted
