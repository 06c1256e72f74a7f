// FalkorDB schema: range indexes on every id and on the properties the read queries seek on.
// FalkorDB has no Cypher constraints and no IF NOT EXISTS, so the store first lists the
// existing indexes (list_indexes_falkordb) and runs only the missing lines. No parameters.
CREATE INDEX FOR (n:Dataset) ON (n.name)
CREATE INDEX FOR (n:Region) ON (n.id)
CREATE INDEX FOR (n:Chain) ON (n.id)
CREATE INDEX FOR (n:Segment) ON (n.id)
CREATE INDEX FOR (n:Firm) ON (n.id)
CREATE INDEX FOR (n:Firm) ON (n.region)
CREATE INDEX FOR (n:Firm) ON (n.anchor)
CREATE INDEX FOR (n:Firm) ON (n.name)
CREATE INDEX FOR (n:Firm) ON (n.name_en)
CREATE INDEX FOR (n:Project) ON (n.id)
