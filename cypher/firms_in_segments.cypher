// Every attribute of the firms outside the given regions that have any of the given segments,
// each firm once; reached from the Segment nodes' IN_SEGMENT relationships (index seeks on
// Segment.id). Parameters: $segments, $regions
UNWIND $segments AS segment_id
MATCH (f:Firm)-[:IN_SEGMENT]->(:Segment {id: segment_id})
WITH DISTINCT f
WHERE NOT f.region IN $regions
RETURN f.id AS id, f.name AS name, f.name_en AS name_en, f.region AS region,
       f.segments AS segments, f.anchor AS anchor, f.output_value AS output_value,
       f.employees AS employees, f.listed AS listed, f.credit_code AS credit_code,
       f.lat AS lat, f.lon AS lon, f.source AS source, f.extra AS extra, f.aliases AS aliases, f.parent AS parent, f.seq AS seq
