// (:Project)-[:IN_SEGMENT]->(:Segment) for each segment of a project. Parameters: $rows (project, segment)
UNWIND $rows AS row
MATCH (p:Project {id: row.project})
MATCH (s:Segment {id: row.segment})
MERGE (p)-[:IN_SEGMENT]->(s)
