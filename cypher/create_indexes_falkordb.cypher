// FalkorDB schema, first part: range indexes on the ids a load seeks on (the template's MERGEs,
// the Region and Segment of every firm row, the projects). The Firm indexes the reads need come
// after the firms (create_firm_indexes_falkordb). FalkorDB has no Cypher constraints and no IF
// NOT EXISTS, so the store first lists the existing indexes (list_indexes_falkordb) and runs only
// the missing lines. No parameters.
CREATE INDEX FOR (n:Dataset) ON (n.name)
CREATE INDEX FOR (n:Region) ON (n.id)
CREATE INDEX FOR (n:Chain) ON (n.id)
CREATE INDEX FOR (n:Segment) ON (n.id)
CREATE INDEX FOR (n:Project) ON (n.id)
