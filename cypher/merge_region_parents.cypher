// PART_OF from a region to its parent; runs after merge_regions so every parent exists.
// Parameters: $rows (id, parent)
UNWIND $rows AS row
MATCH (r:Region {id: row.id})
MATCH (p:Region {id: row.parent})
MERGE (r)-[:PART_OF]->(p)
