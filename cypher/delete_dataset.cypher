// Deletes up to $limit chaingraph nodes (and their relationships), the Dataset node excepted:
// it goes last (delete_dataset_node), so a delete cut short leaves it, marked incomplete by
// mark_dataset_replacing. It runs after delete_links and delete_firms, so what is left is the
// template, whose nodes have few relationships. The store repeats this
// until it returns 0, so no transaction grows with the graph. Parameters: $limit
MATCH (n)
WHERE n:Firm OR n:Segment OR n:Chain OR n:Region OR n:Project
WITH n LIMIT $limit
DETACH DELETE n
RETURN count(n) AS deleted
