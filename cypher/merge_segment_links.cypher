// FEEDS: segment source is an input of segment target. Parameters: $rows (source, target, weight, seq)
UNWIND $rows AS row
MATCH (a:Segment {id: row.source})
MATCH (b:Segment {id: row.target})
MERGE (a)-[f:FEEDS]->(b)
SET f.weight = row.weight,
    f.seq = row.seq
