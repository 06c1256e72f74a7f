// FalkorDB schema, second part: the Firm indexes the reads seek on, created once every firm is
// written. Kept up row by row during the load they made writing a million firms 2.2 times
// slower; built after the firms, FalkorDB fills them in the background while the links are
// written (links find their ends by node id, not through an index), and the load waits until
// every index is operational before it marks the dataset complete. Created, like the first
// part, only where list_indexes_falkordb does not list them. No parameters.
CREATE INDEX FOR (n:Firm) ON (n.id)
CREATE INDEX FOR (n:Firm) ON (n.region)
CREATE INDEX FOR (n:Firm) ON (n.anchor)
CREATE INDEX FOR (n:Firm) ON (n.name)
CREATE INDEX FOR (n:Firm) ON (n.name_en)
