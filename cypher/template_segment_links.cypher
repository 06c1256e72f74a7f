// Every FEEDS link between segments. No parameters.
MATCH (a:Segment)-[f:FEEDS]->(b:Segment)
RETURN a.id AS source, b.id AS target, f.weight AS weight, f.seq AS seq
ORDER BY seq
