// Firm nodes with LOCATED_IN their region and IN_SEGMENT each of their segments; runs after
// regions and segments. segments is also kept as a list property, in the dataset's order.
// Parameters: $rows (id, name, name_en, region, segments, anchor, output_value, employees,
// listed, credit_code, lat, lon, source, extra, seq)
UNWIND $rows AS row
MATCH (r:Region {id: row.region})
MERGE (f:Firm {id: row.id})
SET f.name = row.name,
    f.name_en = row.name_en,
    f.region = row.region,
    f.segments = row.segments,
    f.anchor = row.anchor,
    f.output_value = row.output_value,
    f.employees = row.employees,
    f.listed = row.listed,
    f.credit_code = row.credit_code,
    f.lat = row.lat,
    f.lon = row.lon,
    f.source = row.source,
    f.extra = row.extra,
    f.seq = row.seq
MERGE (f)-[:LOCATED_IN]->(r)
WITH f, row
UNWIND row.segments AS segment_id
MATCH (s:Segment {id: segment_id})
MERGE (f)-[:IN_SEGMENT]->(s)
