// SUPPLIES from supplier to customer; runs after firms. As with create_firms, each link row is
// written once, in dataset order, and the same statement records how many are written
// (links_done on the Dataset node), so a resumed load starts after them.
// A row is a list:
//   [0] supplier, [1] customer, [2] segment, [3] product, [4] value, [5] source, [6] confidence,
//   [7] evidence, [8] seq
// Parameters: $rows, $name (the dataset), $done (link rows written once these are)
UNWIND $rows AS row
MATCH (a:Firm {id: row[0]})
MATCH (b:Firm {id: row[1]})
CREATE (a)-[:SUPPLIES {segment: row[2], product: row[3], value: row[4], source: row[5],
                       confidence: row[6], evidence: row[7], seq: row[8]}]->(b)
WITH count(*) AS written
MATCH (d:Dataset {name: $name})
SET d.links_done = $done
