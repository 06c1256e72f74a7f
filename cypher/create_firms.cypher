// Firm nodes with LOCATED_IN their region and IN_SEGMENT each of their segments; runs after
// regions and segments. A load writes each firm once, in dataset order, so CREATE rather than
// MERGE (MERGE costs an index seek per row); the same statement records on the Dataset node
// how many firm rows are written (firms_done), so a load that died is resumed after them and
// never writes a firm twice. segments is also kept as a list property, in the dataset's order.
// A row is a list, shorter to send and parse than a map:
//   [0] id, [1] name, [2] name_en, [3] region, [4] segments, [5] anchor, [6] output_value,
//   [7] employees, [8] listed, [9] credit_code, [10] lat, [11] lon, [12] source, [13] extra, [14] aliases,
//   [15] parent, [16] seq
// Parameters: $rows, $name (the dataset), $done (firm rows written once these are)
UNWIND $rows AS row
MATCH (r:Region {id: row[3]})
CREATE (f:Firm {id: row[0], name: row[1], name_en: row[2], region: row[3], segments: row[4],
                anchor: row[5], output_value: row[6], employees: row[7], listed: row[8],
                credit_code: row[9], lat: row[10], lon: row[11], source: row[12], extra: row[13],
                aliases: row[14], parent: row[15], seq: row[16]})-[:LOCATED_IN]->(r)
WITH f, row
UNWIND row[4] AS segment_id
MATCH (s:Segment {id: segment_id})
CREATE (f)-[:IN_SEGMENT]->(s)
WITH count(*) AS written
MATCH (d:Dataset {name: $name})
SET d.firms_done = $done
