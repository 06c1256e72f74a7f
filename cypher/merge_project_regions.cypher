// (:Project)-[:LOCATED_IN]->(:Region) for each project with a park. Parameters: $rows (project, region)
UNWIND $rows AS row
MATCH (p:Project {id: row.project})
MATCH (r:Region {id: row.region})
MERGE (p)-[:LOCATED_IN]->(r)
