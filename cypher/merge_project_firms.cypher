// (:Project)-[:BY]->(:Firm) for each project. Parameters: $rows (project, firm)
UNWIND $rows AS row
MATCH (p:Project {id: row.project})
MATCH (f:Firm {id: row.firm})
MERGE (p)-[:BY]->(f)
