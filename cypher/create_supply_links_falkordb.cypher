// create_supply_links for FalkorDB: the two ends are found by node id (FalkorDB's id(),
// read with firm_node_ids once the firms are written), not through the Firm.id index. An id
// seek costs a fraction of an index seek, and on a million firms it halves the load time.
// The ids are projected first so that FalkorDB plans NodeByIdSeek, not a scan of all nodes.
// A row is a list:
//   [0] supplier node id, [1] customer node id, [2] segment, [3] product, [4] value,
//   [5] source, [6] confidence, [7] evidence, [8] seq
// Parameters: $rows, $name (the dataset), $done (link rows written once these are)
UNWIND $rows AS row
WITH row, row[0] AS supplier, row[1] AS customer
MATCH (a) WHERE id(a) = supplier
MATCH (b) WHERE id(b) = customer
CREATE (a)-[:SUPPLIES {segment: row[2], product: row[3], value: row[4], source: row[5],
                       confidence: row[6], evidence: row[7], seq: row[8]}]->(b)
WITH count(*) AS written
MATCH (d:Dataset {name: $name})
SET d.links_done = $done
