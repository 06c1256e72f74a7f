// Segment nodes and PART_OF to their chain; runs after merge_chains.
// Parameters: $rows (id, chain, name, name_en, stage, seq)
UNWIND $rows AS row
MATCH (c:Chain {id: row.chain})
MERGE (s:Segment {id: row.id})
SET s.chain = row.chain,
    s.name = row.name,
    s.name_en = row.name_en,
    s.stage = row.stage,
    s.seq = row.seq
MERGE (s)-[:PART_OF]->(c)
